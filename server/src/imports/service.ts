import type { Readable } from 'node:stream'
import type { Kysely, Transaction } from 'kysely'
import { ConcurrentInsert, type Outcome, type Writer } from '../import-batch.js'
import { auditActor, type ServiceContext } from '../auth/actor.js'
import { ensureDefaultCaseTypes, importCases, listCaseTypes, type ImportedCase } from '../cases/service.js'
import { importCustomers } from '../customers/service.js'
import type { Database } from '../db/schema.js'
import { inSavepoint } from '../db/database.js'
import { AppError, type ErrorCode } from '../errors.js'
import { newId } from '../ids.js'
import { enqueueEvent } from '../jobs/outbox.js'
import { getMerchant, listCurrencies } from '../merchants/service.js'
import { importOrders } from '../orders/service.js'
import { importShipments } from '../shipments/service.js'
import { readRecords } from './read.js'
import type {
  ImportCounts,
  ImportFormat,
  ImportProgress,
  ImportResult,
  ImportType,
  RawRecord,
  RowError,
  ValidCase,
  ValidCustomer,
  ValidOrder,
  ValidShipment,
} from './types.js'
import { validateCase, validateCustomer, validateOrder, validateShipment, type Validated } from './validate.js'

type Trx = Transaction<Database>

export type ImportInput = { type: ImportType; format: ImportFormat; source: string; input: Readable }
export type ImportHooks = {
  onProgress?: (p: ImportProgress) => void
  /** Every refused row, as it is found (the result keeps only the first `maxErrors`). */
  onError?: (e: RowError) => void
  maxErrors?: number
  batchSize?: number
}

type Keyed = { line: number; externalId: string }
/** What became of a record; cases also say whether they landed without an order or customer they name. */
type Written = Outcome | ImportedCase
type Plan<T extends Keyed> = {
  validate: (raw: RawRecord) => Validated<T>
  write: (trx: Trx, records: T[]) => Promise<Written[]>
}
/** What records are checked against: the known currencies and, for cases, the workspace's case types (key → archived). */
type Vocabulary = { currencies: ReadonlySet<string>; caseTypes: ReadonlyMap<string, boolean> }

function planFor(type: ImportType, w: Writer, { currencies, caseTypes }: Vocabulary, now: Date): Plan<Keyed> {
  const plans = {
    orders: {
      validate: (raw) => validateOrder(raw, currencies),
      write: (trx, records) => importOrders(trx, w, records, now),
    } satisfies Plan<ValidOrder>,
    customers: {
      validate: validateCustomer,
      write: async (trx, records) => {
        const written = await importCustomers(trx, w, records, now)
        return records.map((r) => written.get(r.externalId)!.outcome)
      },
    } satisfies Plan<ValidCustomer>,
    shipments: {
      validate: (raw) => validateShipment(raw, currencies),
      write: (trx, records) => importShipments(trx, w, records, now),
    } satisfies Plan<ValidShipment>,
    cases: {
      validate: (raw) => validateCase(raw, currencies, caseTypes),
      write: (trx, records) => importCases(trx, w, records, now),
    } satisfies Plan<ValidCase>,
  }
  // Each plan validates the records it later writes, so the narrower record types line up.
  return plans[type] as unknown as Plan<Keyed>
}

const faultyField: Partial<Record<ErrorCode, string>> = {
  order_not_found: 'order_external_id',
  order_line_unknown: 'lines',
  currency_unknown: 'currency',
  phone_invalid: 'phone',
  case_type_not_found: 'type',
}

// Bad input the database refused (class 22 data exceptions, 23 constraint violations), a race lost to a
// concurrent writer, or a service's refusal: the record's fault, so it is reported and the rest go on.
function rowFault(err: unknown): { field: string | null; message: string } | undefined {
  if (err instanceof AppError && err.status < 500)
    return { field: faultyField[err.code as ErrorCode] ?? null, message: err.message }
  if (err instanceof ConcurrentInsert)
    return { field: null, message: 'written concurrently by another import; import it again' }
  const pg = err as { code?: string; severity?: string; constraint?: string; column?: string; message?: string }
  if (pg.severity && pg.code && /^(22|23|40)/.test(pg.code)) {
    return {
      field: pg.column ?? pg.constraint ?? null,
      message: `the database refused it${pg.constraint ? ` (${pg.constraint})` : ''}: ${pg.message}`,
    }
  }
  return undefined
}

async function vocabulary(db: Kysely<Database>, merchantId: string, type: ImportType, now: Date): Promise<Vocabulary> {
  const currencies = new Set((await listCurrencies(db)).map((c) => c.code))
  if (type !== 'cases') return { currencies, caseTypes: new Map() }
  // A workspace's first cases may come from an import: it gets the default types first, as openCase gives them.
  await db.transaction().execute((trx) => ensureDefaultCaseTypes(trx, merchantId, now))
  return {
    currencies,
    caseTypes: new Map((await listCaseTypes(db, merchantId, true)).map((t) => [t.key, t.archived_at !== null])),
  }
}

/**
 * A batch in one transaction; if the database refuses it, the batch again, each record in a savepoint
 * of one transaction, so only the records at fault are refused and nothing is ever half-written.
 */
async function writeBatch<T extends Keyed>(
  db: Kysely<Database>,
  plan: Plan<T>,
  records: T[],
): Promise<(Written | RowError)[]> {
  try {
    return await db.transaction().execute((trx) => plan.write(trx, records))
  } catch (err) {
    if (!rowFault(err)) throw err
  }
  return db.transaction().execute(async (trx) => {
    const results: (Written | RowError)[] = []
    for (const record of records) {
      try {
        results.push((await inSavepoint(trx, () => plan.write(trx, [record])))[0]!)
      } catch (err) {
        const fault = rowFault(err)
        if (!fault) throw err
        results.push({ line: record.line, ...fault })
      }
    }
    return results
  })
}

/**
 * Streams a file of records into the workspace, batch by batch (each batch its own transaction, so an
 * import of millions never holds one open). Idempotent: records are keyed by source and external id,
 * and a record that would not change is not written, audited or counted as updated. Announces itself
 * with one `import.completed` event, not one per record, so automations are not flooded.
 */
export async function runImport(
  db: Kysely<Database>,
  ctx: ServiceContext,
  input: ImportInput,
  now: Date,
  hooks: ImportHooks = {},
): Promise<ImportResult> {
  const importId = newId()
  await getMerchant(db, ctx.merchantId) // refuses an unknown workspace before a byte is read
  const w: Writer = {
    merchantId: ctx.merchantId,
    source: input.source,
    actor: auditActor(ctx.actor),
    requestId: ctx.requestId ?? `import:${importId}`,
  }
  const plan = planFor(input.type, w, await vocabulary(db, ctx.merchantId, input.type, now), now)
  const maxErrors = hooks.maxErrors ?? 1000
  const batchSize = hooks.batchSize ?? 1000
  const counts: ImportCounts = { imported: 0, updated: 0, unchanged: 0, failed: 0 }
  let unlinked = 0
  const errors: RowError[] = []
  let rows = 0
  let bytes = 0
  let truncated = false
  const refuse = (found: RowError[]) => {
    counts.failed++
    for (const e of found) {
      hooks.onError?.(e)
      if (errors.length < maxErrors) errors.push(e)
      else truncated = true
    }
  }
  const tally = (results: (Written | RowError)[]) => {
    for (const r of results) {
      if (typeof r !== 'string' && 'line' in r) {
        refuse([r])
        continue
      }
      const outcome = typeof r === 'string' ? r : r.outcome
      counts[outcome === 'created' ? 'imported' : outcome]++
      if (typeof r !== 'string' && r.unlinked) unlinked++
    }
    hooks.onProgress?.({ ...counts, rows, bytes })
  }

  // One batch writes while the next is read and validated: the database and this process work side by side.
  let batch: Keyed[] = []
  let keys = new Set<string>()
  let writing: Promise<void> = Promise.resolve()
  let failure: { err: unknown } | undefined
  const flush = async () => {
    await writing
    if (failure) throw failure.err
    if (!batch.length) return
    const records = batch
    batch = []
    keys = new Set()
    writing = writeBatch(db, plan, records).then(tally, (err: unknown) => {
      failure = { err }
    })
  }
  const onBytes = (n: number) => {
    bytes += n
  }
  for await (const item of readRecords(input.input, input.format, input.type, onBytes)) {
    rows++
    if ('error' in item) {
      refuse([item.error])
      continue
    }
    const checked = plan.validate(item.record)
    if ('errors' in checked) {
      refuse(checked.errors)
      continue
    }
    // A record repeated within a batch is written in the next one, so the later version wins.
    if (keys.has(checked.ok.externalId)) await flush()
    batch.push(checked.ok)
    keys.add(checked.ok.externalId)
    if (batch.length >= batchSize) await flush()
  }
  await flush()
  await writing
  if (failure) throw failure.err
  const linking = input.type === 'cases' ? { unlinked } : {}
  await db.transaction().execute((trx) =>
    enqueueEvent(trx, {
      merchant_id: ctx.merchantId,
      type: 'import.completed',
      subject_id: importId,
      occurred_at: now,
      data: { record_type: input.type, format: input.format, source: input.source, rows, ...counts, ...linking },
    }),
  )
  return { ...counts, ...linking, rows, errors, errors_truncated: truncated }
}
