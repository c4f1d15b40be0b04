import { useCallback, useMemo } from 'react'
import { api, ok } from '../api/client'
import { usePermittedList } from '../app/directory'

export type FormatMoney = (amountMinor: number, currency: string) => string

/**
 * A currency's exponent as Intl knows it (CLDR's digits). That is ISO 4217's for most, but not all: CLDR says 0 where
 * the server's table says 2 for HUF, IDR, PKR, COP and a dozen more, so it is only the fallback.
 */
const intlExponent = (currency: string) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2

/** Minor units and an ISO 4217 code, as the API sends money, shown with the currency's exponent. */
export function formatMoney(amountMinor: number, currency: string, exponent = intlExponent(currency)): string {
  return new Intl.NumberFormat(undefined, {
    style: 'currency',
    currency,
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  }).format(amountMinor / 10 ** exponent)
}

/** ISO 4217 currencies with their minor-unit exponents: the server's one table, for showing and reading amounts. */
export function useCurrencies() {
  return usePermittedList(['currencies'], 'merchant.read', () => ok(api.GET('/api/v1/currencies')), Infinity)
}

/**
 * The console's money formatter: exponents from the server's currency table, Intl's until the table has loaded (or for
 * a role without `merchant.read`, which may not read it).
 */
export function useMoney(): FormatMoney {
  const currencies = useCurrencies()
  const exponents = useMemo(() => new Map(currencies.data?.map((c) => [c.code, c.exponent])), [currencies.data])
  return useCallback(
    (amountMinor: number, currency: string) => formatMoney(amountMinor, currency, exponents.get(currency)),
    [exponents],
  )
}
