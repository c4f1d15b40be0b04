import { Transform, type Readable } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'
import { parse } from 'csv-parse'
import { sourceOrderColumns } from '../orders/service.js'
import type { ImportFormat, ImportType, RawRecord, RowError } from './types.js'

export type ReadItem = { record: RawRecord } | { error: RowError }

/** Records in file order; `onBytes` hears of every chunk read, for the progress bar. Reads only as fast as they are consumed. */
export function readRecords(
  input: Readable,
  format: ImportFormat,
  type: ImportType,
  onBytes: (n: number) => void = () => undefined,
): AsyncGenerator<ReadItem> {
  if (format === 'jsonl') return readJsonLines(input, onBytes)
  const counted = input.pipe(
    new Transform({
      transform(chunk: Buffer, _enc, done) {
        onBytes(chunk.length)
        done(null, chunk)
      },
    }),
  )
  input.once('error', (err) => counted.destroy(err))
  return type === 'orders' ? readCsvOrders(counted) : readCsvRows(counted)
}

async function* splitLines(input: Readable, onBytes: (n: number) => void): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8')
  let rest = ''
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    onBytes(chunk.length)
    const parts = (rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk))).split('\n')
    rest = parts.pop()!
    yield* parts
  }
  rest += decoder.end()
  if (rest) yield rest
}

async function* readJsonLines(input: Readable, onBytes: (n: number) => void): AsyncGenerator<ReadItem> {
  let line = 0
  for await (const text of splitLines(input, onBytes)) {
    line++
    if (!text.trim()) continue
    let data: unknown
    try {
      data = JSON.parse(text)
    } catch {
      yield { error: { line, field: null, message: 'not valid JSON' } }
      continue
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      yield { error: { line, field: null, message: 'each line must be one JSON object' } }
      continue
    }
    const at = line
    yield { record: { line, data: data as Record<string, unknown>, locate: (field) => ({ line: at, field }) } }
  }
}

type CsvRow = { line: number; cells: Record<string, string> }

async function* csvRows(input: Readable): AsyncGenerator<CsvRow | { error: RowError }> {
  // Empty cells become absent fields; csv-parse reports the line a record starts on.
  const parser = input.pipe(
    parse({
      columns: (header: string[]) => header.map((h) => h.trim()),
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: false,
      trim: false,
    }),
  )
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>
      info: { lines: number }
    }>) {
      const cells: Record<string, string> = {}
      for (const [k, v] of Object.entries(record)) if (v !== '') cells[k] = v
      yield { line: info.lines, cells }
    }
  } catch (err) {
    // csv-parse stops at a malformed row (unclosed quote, wrong column count): the rest cannot be read reliably.
    const e = err as { lines?: number; message: string }
    yield { error: { line: e.lines ?? 0, field: null, message: `CSV cannot be read past here: ${e.message}` } }
  }
}

async function* readCsvRows(input: Readable): AsyncGenerator<ReadItem> {
  for await (const row of csvRows(input)) {
    if ('error' in row) {
      yield row
      continue
    }
    yield { record: { line: row.line, data: row.cells, locate: (field) => ({ line: row.line, field }) } }
  }
}

const lineColumns: Record<string, string> = {
  external_id: 'line_external_id',
  sku: 'line_sku',
  name: 'line_name',
  category: 'line_category',
  quantity: 'line_quantity',
  unit_price_amount_minor: 'line_unit_price_amount_minor',
  tax_amount_minor: 'line_tax_amount_minor',
  fulfilment_centre: 'line_fulfilment_centre',
}
const paymentColumns: Record<string, string> = {
  provider: 'payment_provider',
  reference: 'payment_reference',
  captured_amount_minor: 'payment_captured_amount_minor',
  refunded_amount_minor: 'payment_refunded_amount_minor',
  captured_at: 'payment_captured_at',
}
const customerColumns = ['external_id', 'name', 'email', 'phone', 'locale', 'time_zone', 'segment']

const pick = (cells: Record<string, string>, map: Record<string, string>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(map)
      .filter(([, col]) => cells[col] !== undefined)
      .map(([field, col]) => [field, cells[col]!]),
  )

/** Rows sharing an `order_external_id` (adjacent, in file order) become one order, one line per row. */
function toOrder(rows: CsvRow[]): RawRecord {
  const first = rows[0]!.cells
  const data: Record<string, unknown> = { external_id: first.order_external_id }
  for (const c of sourceOrderColumns) if (first[c] !== undefined) data[c] = first[c]
  const customer = Object.fromEntries(
    customerColumns.filter((c) => first[`customer_${c}`] !== undefined).map((c) => [c, first[`customer_${c}`]]),
  )
  if (Object.keys(customer).length) data.customer = customer
  data.lines = rows.map((r) => pick(r.cells, lineColumns))
  const payments = new Map<string, { row: number; payment: Record<string, string> }>()
  rows.forEach((r, i) => {
    const p = pick(r.cells, paymentColumns)
    if (Object.keys(p).length) payments.set(`${p.provider}\u0000${p.reference}`, { row: i, payment: p })
  })
  const paymentRows = [...payments.values()]
  data.payments = paymentRows.map((p) => p.payment)
  const locate = (path: string) => {
    const m = /^(lines|payments)\[(\d+)\]\.(\w+)$/.exec(path)
    if (m) {
      const i = Number(m[2])
      const row = m[1] === 'lines' ? rows[i] : rows[paymentRows[i]?.row ?? 0]
      return {
        line: row?.line ?? rows[0]!.line,
        field: (m[1] === 'lines' ? lineColumns : paymentColumns)[m[3]!] ?? m[3]!,
      }
    }
    const c = /^customer\.(\w+)$/.exec(path)
    if (c) return { line: rows[0]!.line, field: `customer_${c[1]}` }
    return { line: rows[0]!.line, field: path === 'external_id' ? 'order_external_id' : path }
  }
  return { line: rows[0]!.line, data, locate }
}

async function* readCsvOrders(input: Readable): AsyncGenerator<ReadItem> {
  let group: CsvRow[] = []
  // Errors of rows read while an order is open are reported after it, so the report stays in line order.
  let deferred: RowError[] = []
  // Ids of orders already read: their rows must be adjacent, or an order would land with only some of its lines.
  const finished = new Set<string>()
  const close = function* (): Generator<ReadItem> {
    if (group.length) {
      finished.add(group[0]!.cells.order_external_id!)
      yield { record: toOrder(group) }
      group = []
    }
    for (const error of deferred) yield { error }
    deferred = []
  }
  for await (const row of csvRows(input)) {
    if ('error' in row) {
      yield* close()
      yield row
      continue
    }
    const id = row.cells.order_external_id
    if (!id) {
      deferred.push({ line: row.line, field: 'order_external_id', message: 'is required' })
      continue
    }
    if (group.length && group[0]!.cells.order_external_id !== id) yield* close()
    if (!group.length && finished.has(id)) {
      yield {
        error: {
          line: row.line,
          field: 'order_external_id',
          message: `rows of order ${id} must be adjacent; this row follows another order's`,
        },
      }
      continue
    }
    group.push(row)
  }
  yield* close()
}
