import { randomBytes } from 'node:crypto'
import type { Kysely, Transaction } from 'kysely'
import type { ServiceContext } from '../auth/actor.js'
import { recordAuditFor } from '../changes.js'
import { recordAudit, type AuditActor } from '../audit/service.js'
import type { Database } from '../db/schema.js'
import { AppError } from '../errors.js'
import { newId } from '../ids.js'
import { normaliseDecimal } from './convert-money.js'
import * as store from './store.js'

type Trx = Transaction<Database>
type Db = Kysely<Database> | Trx

export type Merchant = {
  id: string
  slug: string
  name: string
  brand_name: string
  time_zone: string
  default_currency: string
  currencies: { code: string; exponent: number }[]
  created_at: Date
  updated_at: Date
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz })
    return tz.includes('/') || tz === 'UTC'
  } catch {
    return false
  }
}

type MerchantRow = NonNullable<Awaited<ReturnType<typeof store.findMerchant>>>

async function toMerchant(db: Db, row: MerchantRow): Promise<Merchant> {
  const currencies = await store.findCurrencies(db, row.currencies)
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    brand_name: row.brand_name,
    time_zone: row.time_zone,
    default_currency: row.default_currency,
    currencies: row.currencies.map((c) => currencies.find((x) => x.code === c)).filter((c) => c !== undefined),
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
}

export async function assertCurrencies(db: Db, codes: string[]) {
  const known = await store.findCurrencies(db, codes)
  const missing = codes.filter((c) => !known.some((k) => k.code === c))
  if (missing.length) throw new AppError('currency_unknown', 'Unknown ISO 4217 currency', { currencies: missing })
}

export type MerchantSettings = {
  name?: string
  brandName?: string
  timeZone?: string
  defaultCurrency?: string
  currencies?: string[]
}

function validateSettings(s: MerchantSettings) {
  if (s.timeZone !== undefined && !isTimeZone(s.timeZone))
    throw new AppError('time_zone_unknown', 'Not an IANA time zone such as Europe/London', {
      time_zone: s.timeZone,
    })
}

export type CreateMerchantInput = {
  slug: string
  name: string
  brandName?: string
  timeZone: string
  defaultCurrency: string
  currencies?: string[]
}

/** The workspace itself; server/src/workspaces.ts adds its built-in roles and starting teams. */
export async function createMerchant(
  trx: Trx,
  input: CreateMerchantInput,
  now: Date,
  actor: AuditActor = { type: 'system', id: null },
): Promise<Merchant> {
  validateSettings(input)
  const currencies = [...new Set([input.defaultCurrency, ...(input.currencies ?? [])])]
  await assertCurrencies(trx, currencies)
  if (await store.findMerchantBySlug(trx, input.slug))
    throw new AppError('merchant_slug_taken', 'This workspace name is taken', { slug: input.slug })
  const row = await store.insertMerchant(trx, {
    id: newId(),
    slug: input.slug,
    name: input.name,
    brand_name: input.brandName ?? input.name,
    time_zone: input.timeZone,
    default_currency: input.defaultCurrency,
    currencies,
    audit_pepper: randomBytes(32),
    created_at: now,
    updated_at: now,
  })
  await recordAudit(
    trx,
    {
      merchantId: row.id,
      actor,
      action: 'merchant.created',
      entityType: 'merchant',
      entityId: row.id,
      after: {
        slug: row.slug,
        name: row.name,
        brand_name: row.brand_name,
        time_zone: row.time_zone,
        default_currency: row.default_currency,
        currencies,
      },
    },
    now,
  )
  return toMerchant(trx, row)
}

export async function getMerchant(db: Db, id: string): Promise<Merchant> {
  const row = await store.findMerchant(db, id)
  if (!row) throw new AppError('merchant_not_found', 'No such workspace')
  return toMerchant(db, row)
}

export async function findMerchantIdBySlug(db: Db, slug: string): Promise<string | undefined> {
  return (await store.findMerchantBySlug(db, slug))?.id
}

export async function updateMerchant(
  trx: Trx,
  ctx: ServiceContext,
  input: MerchantSettings,
  now: Date,
): Promise<Merchant> {
  validateSettings(input)
  const before = await store.lockMerchant(trx, ctx.merchantId)
  if (!before) throw new AppError('merchant_not_found', 'No such workspace')
  const currencies = input.currencies ? [...new Set(input.currencies)] : before.currencies
  const defaultCurrency = input.defaultCurrency ?? before.default_currency
  if (!currencies.includes(defaultCurrency)) currencies.unshift(defaultCurrency)
  await assertCurrencies(trx, currencies)
  const after = await store.updateMerchant(trx, ctx.merchantId, {
    ...(input.name ? { name: input.name } : {}),
    ...(input.brandName ? { brand_name: input.brandName } : {}),
    ...(input.timeZone ? { time_zone: input.timeZone } : {}),
    default_currency: defaultCurrency,
    currencies,
    updated_at: now,
  })
  const view = (m: typeof before) => ({
    name: m.name,
    brand_name: m.brand_name,
    time_zone: m.time_zone,
    default_currency: m.default_currency,
    currencies: m.currencies,
  })
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'merchant.updated',
      entityType: 'merchant',
      entityId: ctx.merchantId,
      before: view(before),
      after: view(after),
    },
    now,
  )
  return toMerchant(trx, after)
}

export async function listCurrencies(db: Db) {
  return store.findCurrencies(db)
}

export type ExchangeRate = {
  id: string
  base_currency: string
  quote_currency: string
  rate: string
  effective_on: string
  created_at: Date
}

const rateView = (r: ExchangeRate & Record<string, unknown>): ExchangeRate => ({
  id: r.id,
  base_currency: r.base_currency,
  quote_currency: r.quote_currency,
  rate: normaliseDecimal(r.rate),
  effective_on: r.effective_on,
  created_at: r.created_at,
})

export async function setExchangeRate(
  trx: Trx,
  ctx: ServiceContext,
  input: { base: string; quote: string; rate: string; effectiveOn: string },
  now: Date,
): Promise<ExchangeRate> {
  if (input.base === input.quote)
    throw new AppError('validation_failed', 'Base and quote currency must differ', {
      errors: [{ path: 'body/quote_currency', message: 'equals base_currency' }],
    })
  if (!/^\d{1,18}(\.\d{1,12})?$/.test(input.rate) || /^0+(\.0+)?$/.test(input.rate)) {
    throw new AppError('validation_failed', 'The rate must be a positive decimal with at most 12 decimal places', {
      errors: [{ path: 'body/rate', message: 'is not a positive decimal' }],
    })
  }
  await assertCurrencies(trx, [input.base, input.quote])
  const row = await store.insertRate(trx, {
    merchant_id: ctx.merchantId,
    id: newId(),
    base_currency: input.base,
    quote_currency: input.quote,
    rate: input.rate,
    effective_on: input.effectiveOn,
    created_at: now,
  })
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'exchange_rate.set',
      entityType: 'exchange_rate',
      entityId: row.id,
      after: {
        base_currency: input.base,
        quote_currency: input.quote,
        rate: input.rate,
        effective_on: input.effectiveOn,
      },
    },
    now,
  )
  return rateView(row)
}

export async function listExchangeRates(
  db: Db,
  merchantId: string,
  page: { after?: string; limit: number },
): Promise<ExchangeRate[]> {
  return (await store.listRates(db, merchantId, page)).map(rateView)
}

export async function deleteExchangeRate(trx: Trx, ctx: ServiceContext, id: string, now: Date): Promise<void> {
  const row = await store.deleteRate(trx, ctx.merchantId, id)
  if (!row) throw new AppError('exchange_rate_not_found', 'No such exchange rate', { exchange_rate_id: id })
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'exchange_rate.deleted',
      entityType: 'exchange_rate',
      entityId: id,
      before: {
        base_currency: row.base_currency,
        quote_currency: row.quote_currency,
        rate: normaliseDecimal(row.rate),
        effective_on: row.effective_on,
      },
    },
    now,
  )
}

/** Every workspace's id, for sweeps that visit each. */
export async function listMerchantIds(db: Db): Promise<string[]> {
  return store.listMerchantIds(db)
}

/** The oldest workspace, if there is one (CLAIMDESK_ADMIN_TOKEN's key goes there). */
export async function findFirstMerchantId(db: Db): Promise<string | undefined> {
  return store.findFirstMerchantId(db)
}

/** Workspaces' slugs: of the given ids, or any `limit` of them. */
export async function listWorkspaceSlugs(
  db: Db,
  page: { ids?: string[]; limit?: number },
): Promise<{ id: string; slug: string }[]> {
  if (page.ids?.length === 0) return []
  return store.listMerchantSlugs(db, page)
}

/** Which of these ISO 4217 codes the currency table knows, with their exponents. */
export async function findCurrencies(db: Db, codes: string[]): Promise<{ code: string; exponent: number }[]> {
  return store.findCurrencies(db, codes)
}
