import { randomBytes } from 'node:crypto'
import { Command, InvalidArgumentError } from 'commander'
import { systemContext } from '../auth/actor.js'
import { builtinRoles } from '../auth/permissions.js'
import { createApiKey } from '../roles/api-keys.js'
import { ConfigError, loadConfig } from '../config.js'
import { MigrationError } from '../db/migrate.js'
import type { AppContext } from '../context.js'
import { seedBacklog } from '../demo/backlog.js'
import { createPortalLink } from '../portal/service.js'
import { seedDemo } from '../demo/seed.js'
import { listRules } from '../rules/service/rules.js'
import { AppError } from '../errors.js'
import { findMerchantIdBySlug, isTimeZone, listWorkspaceSlugs } from '../merchants/service.js'
import { findBuiltinRoleId, getRole } from '../roles/service.js'
import { setupModules } from '../modules.js'
import { modules } from '../registry.js'
import { workersRunning } from '../jobs/worker.js'
import { createLogger, openRuntime } from '../runtime.js'
import { createUser } from '../users/service.js'
import { createWorkspace } from '../workspaces.js'

const out = (line: string) => process.stdout.write(`${line}\n`)

/** Runs a command against the database whether or not a server is running (it attaches to the embedded one). */
export async function withContext<T>(
  fn: (ctx: AppContext) => Promise<T>,
  opts: { poolSize?: number; settings?: Record<string, string> } = {},
): Promise<T> {
  const config = loadConfig()
  const runtime = await openRuntime(config, {
    takeOwnership: false,
    poolSize: opts.poolSize ?? 3,
    settings: opts.settings,
    log: createLogger({ logLevel: process.env.LOG_LEVEL ? config.logLevel : 'warn' }),
  })
  try {
    return await fn(runtime.ctx)
  } finally {
    await runtime.close()
  }
}

export async function resolveWorkspace(ctx: AppContext, slug: string | undefined): Promise<string> {
  if (slug) {
    const id = await findMerchantIdBySlug(ctx.db, slug)
    if (!id) throw new AppError('merchant_not_found', `No workspace "${slug}"`)
    return id
  }
  const all = await listWorkspaceSlugs(ctx.db, { limit: 2 })
  if (all.length === 1) return all[0]!.id
  throw new AppError(
    'workspace_required',
    all.length
      ? 'Several workspaces exist: pass --workspace <slug>'
      : 'No workspace yet: run `npx claimdesk merchant create` or `npx claimdesk demo`',
  )
}

async function roleIdFor(ctx: AppContext, merchantId: string, role: string): Promise<string> {
  if ((builtinRoles as string[]).includes(role)) return findBuiltinRoleId(ctx.db, merchantId, role)
  return (await getRole(ctx.db, merchantId, role)).id
}

const program = new Command('claimdesk')
  .description('Claimdesk: claims and exceptions CRM for online merchants')
  .showHelpAfterError()

program
  .command('start')
  .description('Run migrations, then serve the API, web console and workers')
  .action(async () => {
    const { startServer } = await import('../main.js')
    await startServer()
  })

program
  .command('worker')
  .description('Run background jobs only (no HTTP), beside API processes started with WORKERS=false')
  .action(async () => {
    const { startWorkerProcess } = await import('../main.js')
    await startWorkerProcess()
  })

program
  .command('migrate')
  .description('Apply database migrations and exit')
  .action(async () => {
    await withContext(async () => out('database is up to date'))
  })

const merchant = program.command('merchant').description('Workspaces')
merchant
  .command('create')
  .description('Create a workspace with its built-in roles and starting teams')
  .requiredOption('--slug <slug>', 'short name used at sign-in, e.g. acme')
  .requiredOption('--name <name>', 'company name')
  .option('--time-zone <tz>', 'IANA time zone', 'UTC')
  .option('--currency <code>', 'default currency (ISO 4217)', 'USD')
  .action(async (o: { slug: string; name: string; timeZone: string; currency: string }) => {
    if (!isTimeZone(o.timeZone)) throw new InvalidArgumentError(`--time-zone: ${o.timeZone} is not an IANA time zone`)
    await withContext(async (ctx) => {
      const { merchant: m } = await ctx.db
        .transaction()
        .execute((trx) =>
          createWorkspace(
            trx,
            { slug: o.slug, name: o.name, timeZone: o.timeZone, defaultCurrency: o.currency.toUpperCase() },
            new Date(),
          ),
        )
      out(`created workspace ${m.slug} (${m.id})`)
    })
  })

const user = program.command('user').description('People')
user
  .command('create')
  .description('Add a person; prints a generated password unless one is given')
  .requiredOption('--email <email>')
  .requiredOption('--name <name>')
  .option('--role <role>', `${builtinRoles.join(', ')} or a custom role id`, 'agent')
  .option('--password <password>', 'at least 10 characters; generated when omitted')
  .option('--workspace <slug>', 'needed when there are several workspaces')
  .action(async (o: { email: string; name: string; role: string; password?: string; workspace?: string }) => {
    if (o.password !== undefined && o.password.length < 10)
      throw new InvalidArgumentError('--password must be at least 10 characters')
    const password = o.password ?? randomBytes(12).toString('base64url')
    await withContext(async (ctx) => {
      const merchantId = await resolveWorkspace(ctx, o.workspace)
      const roleId = await roleIdFor(ctx, merchantId, o.role)
      const u = await ctx.db
        .transaction()
        .execute((trx) =>
          createUser(trx, systemContext(merchantId), { email: o.email, name: o.name, password, roleId }, new Date()),
        )
      out(`created ${o.role} ${u.email} (${u.id})`)
      if (!o.password) out(`password: ${password}`)
    })
  })

const apiKey = program.command('api-key').description('API keys')
apiKey
  .command('create')
  .description('Create an API key bound to a role; the key is printed once')
  .requiredOption('--name <name>', 'what the key is for, e.g. "Shopify sync"')
  .option('--role <role>', `${builtinRoles.join(', ')} or a custom role id`, 'admin')
  .option('--workspace <slug>', 'needed when there are several workspaces')
  .action(async (o: { name: string; role: string; workspace?: string }) => {
    await withContext(async (ctx) => {
      const merchantId = await resolveWorkspace(ctx, o.workspace)
      const roleId = await roleIdFor(ctx, merchantId, o.role)
      const { key, view } = await ctx.db
        .transaction()
        .execute((trx) => createApiKey(trx, systemContext(merchantId, 'cli'), { name: o.name, roleId }, new Date()))
      out(`created API key ${view.prefix}… (${view.id}) with role ${o.role}; it will not be shown again:`)
      out(key)
    })
  })

// The demo is a bulk load: several connections at once, and commits that do not wait for the disk (a
// machine crash could lose the load's last moments, never corrupt anything); waiting made it half again as slow.
const demoLoad = { poolSize: 8, settings: { synchronous_commit: 'off' } }

program
  .command('demo')
  .description('Create (or refresh) the Northwind Outfitters demo workspace and print its sign-ins')
  .option('--orders <count>', 'orders of trading history to generate on first run', '4800')
  .option(
    '--open-cases <count>',
    "then add open cases (a helpdesk backlog) until at least this many are unresolved, e.g. 10000 to try the console at a busy team's size",
  )
  .action(async (o: { orders: string; openCases?: string }) => {
    const orders = Number(o.orders)
    if (!Number.isInteger(orders) || orders < 0 || orders > 1_000_000)
      throw new InvalidArgumentError('--orders must be a whole number from 0 to 1000000')
    const openCases = o.openCases === undefined ? 0 : Number(o.openCases)
    if (!Number.isInteger(openCases) || openCases < 0 || openCases > 1_000_000)
      throw new InvalidArgumentError('--open-cases must be a whole number from 0 to 1000000')
    await withContext(async (ctx) => {
      const beside = await workersRunning(ctx)
      const { merchantId, logins, created, webhook, commerce, tracking, cases } = await seedDemo(ctx, {
        orders,
        concurrency: 4,
      })
      out(
        `${created ? 'Created' : 'Refreshed'} the demo workspace "northwind" (Northwind Outfitters). Sign in at ${ctx.config.publicUrl} with:`,
      )
      for (const l of logins) out(`  ${l.role.padEnd(8)} ${l.email.padEnd(34)} ${l.password}`)
      out('Passwords are new on every run of `npx claimdesk demo`.')
      if (commerce)
        out(
          `Loaded ${commerce.orders} orders and ${commerce.shipments} shipments of trading history (customers in 7 countries, 3 currencies).`,
        )
      if (tracking)
        out(
          `Replayed ${tracking.webhooks} carrier tracking webhooks (deliveries, customs holds, delays, damage, losses, quiet parcels); see /api/v1/carriers/stale-shipments.`,
        )
      if (cases) {
        out(
          `Opened ${cases.total} cases: ${cases.fromPolicy} by the exception policy from carrier signals, ${cases.byHand} by agents from customers' emails, chats and calls, ${cases.followUps} follow-ups; ${cases.merged} merged as duplicates.`,
        )
        out(
          `  by status: ${Object.entries(cases.byStatus)
            .map(([status, n]) => `${status} ${n}`)
            .join(', ')}`,
        )
        const sla = cases.sla
        out(
          `  SLA: ${sla.active} running (${sla.dueSoon} set to fall due within 2 hours: Inbox → Breaching soon), ${sla.paused} paused, ${sla.breached} breached, ${sla.met} met; three tiers in UK business hours with bank holidays (Admin → SLA policies, Calendars)`,
        )
        out(
          `  CSAT: ${cases.csat.sent} surveys sent after resolutions, ${cases.csat.answered} answered (Dashboard → Customer satisfaction; Admin → CSAT)`,
        )
        const ev = cases.evidence
        out(
          `  Evidence: ${ev.photos} customer photos, ${ev.proofsOfDelivery} carrier proofs of delivery, ${ev.invoices} invoices on damaged, lost and customs cases (a case's Evidence panel)`,
        )
        if (ev.request)
          out(`  An open request for photos on ${ev.request.caseNumber}; the customer's upload page: ${ev.request.url}`)
        const rules = await listRules(ctx.db, merchantId, new Date())
        const fired = rules.reduce((n, r) => n + r.stats.fired, 0)
        out(
          `  Rules: ${rules.filter((r) => r.mode === 'active').length} active (the default pack and the playbook's three), ${fired} executions on cases in the last 30 days (Rules → Execution log; a case's timeline)`,
        )
        // A running server's workers fire the policy's watch windows and lost-parcel checks as soon as they are due,
        // before the replay has reached their time (and the parcels' later scans).
        if (beside)
          out(
            '  A server was running: its workers acted on carrier checks ahead of the replay, so some carrier cases are dated today and may not match later scans. For the history as it happened, stop the server and load the demo into a new DATA_DIR.',
          )
      }
      if (openCases) {
        const added = await seedBacklog(ctx, merchantId, openCases, new Date())
        out(
          added
            ? `Added a backlog of ${added} open cases (imported from the previous helpdesk), for at least ${openCases} unresolved.`
            : `At least ${openCases} cases are already unresolved.`,
        )
      }
      // A customer's-eye view: the status page of one open carrier case, as an agent would send it.
      const sample = await ctx.db
        .selectFrom('cases')
        .select(['id', 'number', 'subject'])
        .where('merchant_id', '=', merchantId)
        .where('source', '=', 'exception_policy')
        .where('status', 'in', ['open', 'waiting_carrier'])
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst()
      if (sample) {
        const link = await ctx.db
          .transaction()
          .execute((trx) =>
            createPortalLink(
              trx,
              systemContext(merchantId, 'cli'),
              sample.id,
              { secret: ctx.keys.links, days: 30, publicUrl: ctx.config.publicUrl },
              new Date(),
            ),
          )
        out(`The customer's status page for CD-${sample.number} (${sample.subject}), valid 30 days: ${link.url}`)
      }
      if (webhook) {
        out(`Carrier events (Standard Webhooks) are accepted at ${webhook.url}`)
        out(`  signing secret (shown once): ${webhook.secret}`)
      }
    }, demoLoad)
  })

setupModules(modules)
for (const m of modules) m.cli?.(program, { withContext, resolveWorkspace, out })

program.parseAsync(process.argv).catch((err: unknown) => {
  if (
    err instanceof ConfigError ||
    err instanceof AppError ||
    err instanceof InvalidArgumentError ||
    err instanceof MigrationError
  ) {
    process.stderr.write(`claimdesk: ${err.message}\n`)
  } else {
    process.stderr.write(`claimdesk: ${(err as Error)?.stack ?? String(err)}\n`)
  }
  process.exit(1)
})
