import { randomBytes } from 'node:crypto'
import type { AppContext } from '../context.js'
import { systemContext } from '../auth/actor.js'
import { hashPassword } from '../auth/passwords.js'
import { builtinRoles } from '../auth/permissions.js'
import { createConnection } from '../integrations/service.js'
import { seedCases, type DemoCases } from './cases.js'
import { generateCommerce, loadCommerce } from './commerce.js'
import { staffOf, type Staff } from './staff.js'
import { setExchangeRate } from '../merchants/service.js'
import { seedDemoCalendars } from '../sla/calendars/defaults.js'
import { seedDemoRules } from './rules.js'
import { seedDemoSla } from './sla.js'
import { findBuiltinRoleId } from '../roles/service.js'
import { createUser } from '../users/service.js'
import { listTeams, updateTeam } from '../teams/service.js'
import { createWorkspace } from '../workspaces.js'

export const DEMO_SLUG = 'northwind'

export type DemoLogin = { role: string; email: string; name: string; password: string }

const people: { role: string; email: string; name: string }[] = [
  { role: 'admin', email: 'amelia.hart@northwind.example', name: 'Amelia Hart' },
  { role: 'manager', email: 'marcus.obi@northwind.example', name: 'Marcus Obi' },
  { role: 'agent', email: 'priya.nair@northwind.example', name: 'Priya Nair' },
  { role: 'agent', email: 'tom.becker@northwind.example', name: 'Tom Becker' },
  { role: 'finance', email: 'sofia.rossi@northwind.example', name: 'Sofia Rossi' },
  { role: 'viewer', email: 'li.wei@northwind.example', name: 'Li Wei' },
]

/**
 * The demo workspace: Northwind Outfitters, a UK apparel brand shipping to the EU and US, with one
 * person per role. Re-running it keeps the data and sets fresh passwords (printed once).
 * Later modules add their demo data here.
 */
export type DemoWebhook = { url: string; secret: string }

export type DemoResult = {
  merchantId: string
  logins: DemoLogin[]
  created: boolean
  webhook?: DemoWebhook
  commerce?: { orders: number; shipments: number }
  tracking?: { webhooks: number }
  cases?: DemoCases
}

/** `concurrency`: how many connections the background work and the case work may use at once. */
export async function seedDemo(
  ctx: AppContext,
  opts: { orders?: number; concurrency?: number } = {},
  now = new Date(),
): Promise<DemoResult> {
  const { staff, ...result } = await ctx.db
    .transaction()
    .execute(async (trx): Promise<DemoResult & { staff?: Staff }> => {
      let merchant = await trx.selectFrom('merchants').select('id').where('slug', '=', DEMO_SLUG).executeTakeFirst()
      const created = !merchant
      if (!merchant) {
        const { merchant: m } = await createWorkspace(
          trx,
          {
            slug: DEMO_SLUG,
            name: 'Northwind Outfitters Ltd',
            brandName: 'Northwind Outfitters',
            timeZone: 'Europe/London',
            defaultCurrency: 'GBP',
            currencies: ['GBP', 'EUR', 'USD'],
          },
          now,
        )
        merchant = { id: m.id }
      }
      const merchantId = merchant.id
      const logins: DemoLogin[] = []
      const ids: Record<string, string> = {}
      for (const p of people) {
        const password = `demo-${randomBytes(9).toString('base64url')}`
        const existing = await trx
          .selectFrom('users')
          .select('id')
          .where('merchant_id', '=', merchantId)
          .where('email', '=', p.email)
          .executeTakeFirst()
        if (existing) {
          await trx
            .updateTable('users')
            .set({ password_hash: await hashPassword(password), password_changed_at: now, status: 'active' })
            .where('merchant_id', '=', merchantId)
            .where('id', '=', existing.id)
            .execute()
          ids[p.email] = existing.id
        } else {
          const roleId = await findBuiltinRoleId(trx, merchantId, p.role)
          ids[p.email] = (
            await createUser(trx, systemContext(merchantId), { email: p.email, name: p.name, password, roleId }, now)
          ).id
        }
        logins.push({ ...p, password })
      }
      let webhook: DemoWebhook | undefined
      let staff: Staff | undefined
      if (created) {
        const demo = systemContext(merchantId, 'demo')
        const teams = await listTeams(trx, merchantId, { limit: 10 })
        const byName = (n: string) => teams.find((t) => t.name === n)!
        const id = (email: string) => ids[email]!
        await updateTeam(
          trx,
          demo,
          byName('Support').id,
          {
            leadUserId: id('marcus.obi@northwind.example'),
            memberIds: [id('priya.nair@northwind.example'), id('tom.becker@northwind.example')],
          },
          now,
        )
        await updateTeam(
          trx,
          demo,
          byName('HighValue').id,
          { leadUserId: id('marcus.obi@northwind.example'), memberIds: [id('priya.nair@northwind.example')] },
          now,
        )
        await updateTeam(
          trx,
          demo,
          byName('Logistics Ops').id,
          { leadUserId: id('tom.becker@northwind.example'), memberIds: [] },
          now,
        )
        const day = now.toISOString().slice(0, 10)
        for (const [base, quote, rate] of [
          ['EUR', 'GBP', '0.8541'],
          ['USD', 'GBP', '0.7893'],
        ] as const) {
          await setExchangeRate(trx, demo, { base, quote, rate, effectiveOn: day }, now)
        }
        const { businessHoursId } = await seedDemoCalendars(trx, demo, now)
        await seedDemoSla(trx, demo, businessHoursId, now)
        await seedDemoRules(trx, demo, now)
        // A signed carrier-event feed (Standard Webhooks), so the inbox has somewhere to deliver to.
        const feed = await createConnection(
          trx,
          systemContext(merchantId, 'demo'),
          ctx.keys.secrets,
          { source: 'carriers', provider: 'generic', name: 'Carrier events (signed feed)' },
          now,
        )
        webhook = {
          url: `${ctx.config.publicUrl}/webhooks/carriers/generic/${feed.connection.id}`,
          secret: feed.secret!,
        }
        staff = staffOf(
          people.map((p) => ({ ...p, id: id(p.email) })),
          await listTeams(trx, merchantId, { limit: 10 }),
        )
      }
      return {
        merchantId,
        logins: logins.sort((a, b) => builtinRoles.indexOf(a.role as never) - builtinRoles.indexOf(b.role as never)),
        created,
        webhook,
        staff,
      }
    })
  if (!result.created) return result
  const commerce = await loadCommerce(ctx, result.merchantId, generateCommerce(opts.orders ?? 4800, now), now)
  const feed = { id: result.webhook!.url.split('/').pop()!, secret: result.webhook!.secret }
  const { webhooks, cases } = await seedCases(ctx, result.merchantId, { staff: staff!, feed }, now, opts.concurrency)
  return { ...result, commerce, tracking: { webhooks }, cases }
}
