// Shopify sends money as decimal strings in the shop's currency ("404.95"); we keep integer
// minor units. Exact: the digits are shifted as text and parsed as BigInt, never through floats.

const decimal = /^(-?)(\d+)(?:\.(\d+))?$/

/** "404.95" with exponent 2 → 40495. Refuses digits the currency cannot hold ("1.005" in USD). */
export function decimalToMinor(amount: string, exponent: number): number {
  const m = decimal.exec(amount.trim())
  if (!m) throw new RangeError(`Not a decimal amount: ${JSON.stringify(amount)}`)
  const [, sign, whole, fraction = ''] = m
  const kept = fraction.slice(0, exponent).padEnd(exponent, '0')
  if (/[^0]/.test(fraction.slice(exponent)))
    throw new RangeError(`${amount} has more decimals than the currency's ${exponent}`)
  const minor = BigInt(`${whole}${kept}`)
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`${amount} is out of range`)
  return Number(sign ? -minor : minor)
}
