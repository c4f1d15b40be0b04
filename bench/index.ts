import { parseArgs } from 'node:util'

const benches: Record<
  string,
  () => Promise<{ run: (opts: Record<string, string | boolean | undefined>) => Promise<void> }>
> = {
  api: () => import('./api.js'),
  jobs: () => import('./jobs.js'),
  import: () => import('./import.js'),
  ingest: () => import('./ingest.js'),
  'ingest-crash': () => import('./ingest-crash.js'),
  cases: () => import('./cases.js'),
  console: () => import('./console.js'),
  messaging: () => import('./messaging.js'),
  'messaging-inbound': () => import('./messaging-inbound.js'),
  sla: () => import('./sla.js'),
  calendar: () => import('./calendar.js'),
  evidence: () => import('./evidence.js'),
  rules: () => import('./rules.js'),
}

const [name, ...rest] = process.argv.slice(2)
if (!name || !benches[name]) {
  process.stderr.write(
    `usage: npm run bench -- <${Object.keys(benches).join('|')}> [--duration s] [--connections n] [--orders n] [--events n] [--kills n] [--cases n] [--open-cases n] [--fresh] [--repeat n] [--worker-process] [--emails n] [--inbound-emails n] [--concurrency n] [--rate n] [--due n] [--background n] [--window s] [--down s] [--ingest n] [--short] [--step light|recorded] [--sms n] [--sms-only] [--size mb]\n`,
  )
  process.exit(1)
}
const { values } = parseArgs({
  args: rest,
  options: {
    duration: { type: 'string' },
    connections: { type: 'string' },
    orders: { type: 'string' },
    events: { type: 'string' },
    kills: { type: 'string' },
    cases: { type: 'string' },
    'open-cases': { type: 'string' },
    fresh: { type: 'boolean' },
    repeat: { type: 'string' },
    'worker-process': { type: 'boolean' },
    emails: { type: 'string' },
    'inbound-emails': { type: 'string' },
    concurrency: { type: 'string' },
    rate: { type: 'string' },
    due: { type: 'string' },
    background: { type: 'string' },
    window: { type: 'string' },
    down: { type: 'string' },
    ingest: { type: 'string' },
    short: { type: 'boolean' },
    step: { type: 'string' },
    sms: { type: 'string' },
    'sms-only': { type: 'boolean' },
    size: { type: 'string' },
  },
  strict: true,
})
const bench = await benches[name]!()
await bench.run(values)
process.exit(0)
