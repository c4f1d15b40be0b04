import { createWriteStream, rmSync } from 'node:fs'
import { once } from 'node:events'
import path from 'node:path'
import { loadConfig } from '../server/src/config.js'
import { makeTraversableTempDir } from '../server/src/db/embedded.js'
import { importFile } from '../server/src/imports/cli.js'
import { openRuntime } from '../server/src/runtime.js'
import { createWorkspace } from '../server/src/workspaces.js'

const print = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`)
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024)

// mulberry32: a small seeded generator, so every run imports the same file.
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const currencies = ['GBP', 'EUR', 'USD', 'JPY', 'CHF'] as const
const catalogue = [
  { sku: 'MUG-01', name: 'Enamel mug', category: 'kitchen', price: 1200 },
  { sku: 'TEE-02', name: 'Organic tee', category: 'apparel', price: 2500 },
  { sku: 'CAP-03', name: 'Field cap', category: 'apparel', price: 1800 },
  { sku: 'BAG-04', name: 'Canvas tote', category: 'bags', price: 3200 },
  { sku: 'LMP-05', name: 'Desk lamp', category: 'home', price: 5400 },
  { sku: 'PEN-06', name: 'Fountain pen', category: 'stationery', price: 4100 },
]

/** JSON lines: ~2.5 lines an order (1 to 4), several currencies, a customer for every four orders on average. */
async function generate(file: string, orders: number): Promise<number> {
  const next = random(42)
  const customers = Math.max(1, Math.floor(orders / 4))
  const out = createWriteStream(file, { highWaterMark: 1024 * 1024 })
  let lines = 0
  const start = Date.UTC(2024, 0, 1)
  for (let i = 0; i < orders; i++) {
    const currency = currencies[Math.floor(next() * currencies.length)]!
    const count = 1 + Math.floor(next() * 4)
    lines += count
    const items = Array.from({ length: count }, () => {
      const p = catalogue[Math.floor(next() * catalogue.length)]!
      return {
        sku: p.sku,
        name: p.name,
        category: p.category,
        quantity: 1 + Math.floor(next() * 3),
        unit_price_amount_minor: p.price,
        tax_amount_minor: Math.round(p.price * 0.2),
        fulfilment_centre: next() < 0.5 ? 'LHR1' : 'BER2',
      }
    })
    const subtotal = items.reduce((s, l) => s + l.quantity * l.unit_price_amount_minor, 0)
    const c = Math.floor(next() * customers)
    const record = {
      external_id: `ord-${i}`,
      order_number: `#${100000 + i}`,
      currency,
      placed_at: new Date(start + i * 30_000).toISOString(),
      status: 'open',
      financial_status: 'paid',
      subtotal_amount_minor: subtotal,
      shipping_amount_minor: 495,
      total_amount_minor: subtotal + 495,
      shipping_country: ['GB', 'DE', 'FR', 'US', 'JP'][c % 5],
      customer: { external_id: `cus-${c}`, name: `Customer ${c}`, email: `customer${c}@example.com` },
      lines: items,
      payments: [{ provider: 'stripe', reference: `pi_${i}`, captured_amount_minor: subtotal + 495 }],
    }
    if (!out.write(`${JSON.stringify(record)}\n`)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
  return lines
}

/**
 * Bulk import: a generated JSON-lines file of orders (default 1,000,000) through the CLI's own import,
 * on a fresh embedded database. Floor: 20,000 orders/s with peak RSS under 300 MB.
 */
export async function run(opts: Record<string, string | boolean | undefined>) {
  const orders = Number(opts.orders ?? process.env.BENCH_ORDERS ?? 1_000_000)
  let peak = process.memoryUsage().rss
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 100)
  const dataDir = makeTraversableTempDir('claimdesk-bench-')
  const runtime = await openRuntime(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' }), {
    takeOwnership: true,
    poolSize: 4,
  })
  const { ctx } = runtime
  try {
    const { merchant } = await ctx.db
      .transaction()
      .execute((trx) =>
        createWorkspace(
          trx,
          { slug: 'bench', name: 'Bench Ltd', timeZone: 'UTC', defaultCurrency: 'GBP', currencies: [...currencies] },
          new Date(),
        ),
      )
    const file = path.join(dataDir, 'orders.jsonl')
    const generated = Date.now()
    const lines = await generate(file, orders)
    print({
      bench: 'import',
      phase: 'generated',
      orders,
      lines,
      seconds: (Date.now() - generated) / 1000,
      node: process.version,
      database: 'embedded PostgreSQL, default durability',
    })

    const started = Date.now()
    let reported = 0
    const result = await importFile(
      ctx.db,
      file,
      { merchantId: merchant.id, type: 'orders', format: 'jsonl', source: 'bench' },
      {
        onProgress: (p) => {
          if (p.rows - reported < Math.max(orders / 20, 1000)) return
          reported = p.rows
          const seconds = (Date.now() - started) / 1000
          print({
            bench: 'import',
            phase: 'progress',
            rows: p.rows,
            orders_per_sec: Math.round(p.rows / seconds),
            rss_mb: mb(process.memoryUsage().rss),
          })
        },
      },
    )
    const seconds = (Date.now() - started) / 1000
    clearInterval(sampler)
    print({
      bench: 'import',
      summary: true,
      orders: result.imported,
      lines,
      failed: result.failed,
      seconds,
      orders_per_sec: Math.round(result.imported / seconds),
      peak_rss_mb: mb(peak),
    })
  } finally {
    clearInterval(sampler)
    await runtime.close()
    rmSync(path.resolve(dataDir), { recursive: true, force: true })
  }
}
