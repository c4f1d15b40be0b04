// Money: integer minor units + ISO 4217 code. Conversion is exact decimal arithmetic (BigInt),
// rounded half to even once at the end, never through floats.

export type Money = { amountMinor: number; currency: string }

/** Money as the API and domain events carry it (snake_case, like every wire field). */
export type WireMoney = { amount_minor: number; currency: string }

/** A pair of money columns on the wire: null unless both hold a value. */
export const toWireMoney = (amountMinor: number | null, currency: string | null): WireMoney | null =>
  amountMinor !== null && currency ? { amount_minor: amountMinor, currency } : null

const DECIMAL = /^(\d{1,18})(?:\.(\d{1,12}))?$/

/** rate = units of `to` per one unit of `from`, as a decimal string; `inverse` divides by it instead. */
export function convertMinor(
  amountMinor: number,
  fromExponent: number,
  toExponent: number,
  rate: string,
  inverse = false,
): number {
  const m = DECIMAL.exec(rate)
  if (!m) throw new RangeError(`Not a decimal rate: ${rate}`)
  const fraction = m[2] ?? ''
  const rateScaled = BigInt(m[1]! + fraction) // rate * 10^fraction.length
  // amount_to_minor = amountMinor / 10^fromExp * rate * 10^toExp
  const scale = 10n ** BigInt(fraction.length)
  if (rateScaled === 0n) throw new RangeError('Rate must be positive')
  let numerator = BigInt(amountMinor) * (inverse ? scale : rateScaled) * 10n ** BigInt(toExponent)
  const denominator = (inverse ? rateScaled : scale) * 10n ** BigInt(fromExponent)
  const negative = numerator < 0n
  if (negative) numerator = -numerator
  const q = numerator / denominator
  const r = numerator % denominator
  const twice = r * 2n
  const rounded = twice > denominator || (twice === denominator && q % 2n === 1n) ? q + 1n : q
  const result = negative ? -rounded : rounded
  if (result > BigInt(Number.MAX_SAFE_INTEGER) || result < BigInt(Number.MIN_SAFE_INTEGER))
    throw new RangeError('Converted amount is out of range')
  return Number(result)
}

/** For display only, at the edge. */
export function formatMoney(money: Money, exponent: number, locale = 'en-GB'): string {
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: money.currency,
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  }).format(money.amountMinor / 10 ** exponent)
}
