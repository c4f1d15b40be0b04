/**
 * Decimal text in major units ("12.5") to integer minor units (1250 at exponent 2), exactly: no floats.
 * Null for anything else: signs, exponents, more decimals than the currency has, or beyond a safe integer.
 */
export function parseMinor(text: string, exponent: number): number | null {
  const m = /^(\d+)(?:\.(\d*))?$/.exec(text.trim())
  if (!m) return null
  const whole = m[1] ?? ''
  const fraction = m[2] ?? ''
  if (fraction.length > exponent) return null
  const minor = BigInt(whole + fraction.padEnd(exponent, '0'))
  return minor > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(minor)
}

/** Integer minor units as plain decimal text for an input (1250 at exponent 2 → "12.50"). */
export function formatMajor(minor: number, exponent: number): string {
  if (exponent === 0) return String(minor)
  const digits = String(minor).padStart(exponent + 1, '0')
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`
}
