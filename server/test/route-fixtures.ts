import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import type { Transaction } from 'kysely'
import { systemContext } from '../src/auth/actor.js'
import { createApiKey } from '../src/roles/api-keys.js'
import type { AppContext } from '../src/context.js'
import type { Database } from '../src/db/schema.js'
import { findCarrierProvider, normalizePayload, recordTracking } from '../src/carriers/service.js'
import { seedConnection, seedDelivery } from '../src/intake/testing.js'
import type { DomainEvents } from '../src/jobs/events.js'
import { setExchangeRate } from '../src/merchants/service.js'
import { createRole } from '../src/roles/service.js'
import { upsertCustomer } from '../src/customers/service.js'
import { upsertOrder } from '../src/orders/service.js'
import { upsertShipment } from '../src/shipments/service.js'
import { createTeam } from '../src/teams/service.js'
import { createUser } from '../src/users/service.js'
import {
  changeStatus,
  createCaseType,
  createView,
  linkRecords,
  onShipmentStatusChanged,
  openCase,
} from '../src/cases/service.js'
import { recordMessage } from '../src/messaging/service.js'
import type { RouteFixture as Fixture, RouteRequest } from './fixture-kit.js'
import type { TestMerchant } from './harness.js'
import { csatFixtures } from './csat-fixtures.js'
import { retentionFixtures } from './retention-fixtures.js'
import { ruleFixtures } from './rules-fixtures.js'
import { evidenceRequestFixtures } from './evidence-request-fixtures.js'
import { evidenceFixtures } from './evidence-fixtures.js'
import { slaCalendarFixtures } from './sla-calendar-fixtures.js'
import { slaFixtures } from './sla-fixtures.js'
import { sideConversationFixtures } from './side-conversation-fixtures.js'
import { templateFixtures } from './template-fixtures.js'

/** Makes fresh records in one workspace; every id it returns is recorded so tests can tell foreign ids apart. */
export class FixtureKit {
  readonly created = new Set<string>()
  constructor(
    readonly ctx: AppContext,
    readonly m: TestMerchant,
  ) {}

  private track<T extends string>(id: T): T {
    this.created.add(id)
    return id
  }

  private tx<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.ctx.db.transaction().execute(fn)
  }

  unique(prefix: string) {
    return `${prefix}-${randomBytes(4).toString('hex')}`
  }

  async user(): Promise<string> {
    const u = await this.tx((trx) =>
      createUser(
        trx,
        systemContext(this.m.id),
        {
          email: `${this.unique('u')}@${this.m.slug}.example`,
          name: 'Fixture Person',
          password: 'fixture-password',
          roleId: this.m.roleIds.agent!,
        },
        new Date(),
      ),
    )
    return this.track(u.id)
  }

  async team(): Promise<string> {
    const t = await this.tx((trx) =>
      createTeam(trx, systemContext(this.m.id), { name: this.unique('Team') }, new Date()),
    )
    return this.track(t.id)
  }

  async role(): Promise<string> {
    const r = await this.tx((trx) =>
      createRole(
        trx,
        systemContext(this.m.id),
        { name: this.unique('Role'), permissions: [{ permission: 'cases.read' }] },
        new Date(),
      ),
    )
    return this.track(r.id)
  }

  builtinRole(key: string): string {
    return this.track(this.m.roleIds[key]!)
  }

  async apiKey(): Promise<string> {
    const k = await this.tx((trx) =>
      createApiKey(
        trx,
        systemContext(this.m.id),
        { name: this.unique('key'), roleId: this.m.roleIds.viewer! },
        new Date(),
      ),
    )
    return this.track(k.view.id)
  }

  async connection(): Promise<string> {
    return this.track((await seedConnection(this.ctx, this.m.id)).id)
  }

  async delivery(): Promise<string> {
    return this.track(await seedDelivery(this.ctx, this.m.id, await this.connection(), { status: 'dead' }))
  }

  async customer(): Promise<string> {
    const c = await this.tx((trx) =>
      upsertCustomer(
        trx,
        systemContext(this.m.id),
        {
          source: 'test',
          externalId: this.unique('c'),
          email: `${this.unique('c')}@example.com`,
          name: 'Fixture Customer',
        },
        new Date(),
      ),
    )
    return this.track(c.customer.id)
  }

  async order(): Promise<{ id: string; paymentId: string; lineId: string }> {
    const { order } = await this.tx((trx) =>
      upsertOrder(
        trx,
        systemContext(this.m.id),
        {
          source: 'test',
          externalId: this.unique('o'),
          currency: 'GBP',
          placedAt: new Date(),
          totalMinor: 2500,
          lines: [{ name: 'Fixture item', quantity: 1, unitPriceMinor: 2500 }],
          payments: [{ provider: 'test', reference: this.unique('p'), capturedMinor: 2500 }],
        },
        new Date(),
      ),
    )
    this.track(order.payments[0]!.id)
    this.track(order.lines[0]!.id)
    return { id: this.track(order.id), paymentId: order.payments[0]!.id, lineId: order.lines[0]!.id }
  }

  async shipment(): Promise<string> {
    const order = await this.order()
    const { shipment } = await this.tx((trx) =>
      upsertShipment(
        trx,
        systemContext(this.m.id),
        { source: 'test', externalId: this.unique('s'), orderId: order.id, carrier: 'UPS' },
        new Date(),
      ),
    )
    return this.track(shipment.id)
  }

  async carrierConnection(): Promise<string> {
    return this.track((await seedConnection(this.ctx, this.m.id, { source: 'carriers' })).id)
  }

  async tracker(): Promise<string> {
    return (await this.trackerWithProof()).tracker
  }

  /** A delivered parcel's tracker with the carrier's signature image (a 1×1 PNG). */
  async trackerWithProof(): Promise<{ tracker: string; proof: string }> {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='
    const result = normalizePayload(findCarrierProvider('generic'), {
      type: 'tracking.updated',
      data: {
        carrier: 'ups',
        tracking_number: this.unique('1Z'),
        events: [{ status: 'in_transit', occurred_at: '2026-11-01T10:00:00Z' }],
        proof_of_delivery: [{ kind: 'signature', content_type: 'image/png', data_base64: png }],
      },
    })
    if (result.kind !== 'tracking') throw new Error('fixture payload was ignored')
    const r = await this.tx((trx) =>
      recordTracking(
        trx,
        { merchantId: this.m.id, provider: 'generic', deliveryId: null, blobs: this.ctx.blobs },
        result.shipments[0]!,
        new Date(),
      ),
    )
    const proof = await this.ctx.db
      .selectFrom('tracking_media')
      .select('id')
      .where('tracker_id', '=', r.trackerId)
      .executeTakeFirstOrThrow()
    return { tracker: this.track(r.trackerId), proof: this.track(proof.id) }
  }

  async case(): Promise<string> {
    const c = await this.tx((trx) =>
      openCase(trx, systemContext(this.m.id), { caseType: 'damaged', subject: this.unique('Case') }, new Date()),
    )
    return this.track(c.id)
  }

  /** A failed outbound email on a fresh case, its original (.eml) stored: retried, read and downloaded. */
  async message(): Promise<string> {
    const caseId = await this.case()
    const raw = await this.ctx.blobs.put(Readable.from([Buffer.from('Subject: Hi\r\n\r\nHello\r\n')]), {
      merchantId: this.m.id,
      maxBytes: 10_000,
    })
    const msg = await this.tx((trx) =>
      recordMessage(
        trx,
        systemContext(this.m.id),
        {
          caseId,
          direction: 'out',
          channel: 'email',
          visibility: 'public',
          status: 'failed',
          statusReason: '550 no such user',
          authorType: 'system',
          from: { address: 'support@example.com' },
          to: [{ address: 'customer@example.com' }],
          cc: [],
          subject: 'Your case',
          text: 'Hello',
          rawBlobKey: raw.key,
        },
        new Date(),
      ),
    )
    return this.track(msg.id)
  }

  /** An incident parent with one child case. */
  async incident(): Promise<{ parent: string; child: string }> {
    const parent = await this.case()
    const c = await this.tx((trx) =>
      openCase(
        trx,
        systemContext(this.m.id),
        { caseType: 'lost_parcel', subject: this.unique('Child'), parentId: parent },
        new Date(),
      ),
    )
    return { parent, child: this.track(c.id) }
  }

  /** A view shared with the workspace. */
  async view(): Promise<string> {
    const v = await this.tx((trx) =>
      createView(
        trx,
        systemContext(this.m.id),
        { name: this.unique('View'), shared: true, filters: { status: 'unresolved' } },
        new Date(),
      ),
    )
    return this.track(v.id)
  }

  /** A low-confidence carrier signal waiting on the review list. */
  async review(): Promise<string> {
    const shipmentId = await this.shipment()
    await this.tx((trx) =>
      onShipmentStatusChanged(
        trx,
        {
          id: this.unique('evt'),
          merchant_id: this.m.id,
          type: 'shipment.status_changed',
          subject_id: shipmentId,
          occurred_at: new Date().toISOString(),
          data: {
            shipment_id: shipmentId,
            status: 'lost',
            confidence: 'low',
            review_reasons: ['status_contradicts_events'],
          } as DomainEvents['shipment.status_changed'], // only the fields the policy reads
        },
        new Date(),
      ),
    )
    const row = await this.ctx.db
      .selectFrom('case_reviews')
      .select('id')
      .where('merchant_id', '=', this.m.id)
      .where('shipment_id', '=', shipmentId)
      .executeTakeFirstOrThrow()
    return this.track(row.id)
  }

  async exchangeRate(): Promise<string> {
    const day = new Date(Date.UTC(2020, 0, 1 + Math.floor(Math.random() * 3000))).toISOString().slice(0, 10)
    const r = await this.tx((trx) =>
      setExchangeRate(
        trx,
        systemContext(this.m.id),
        { base: 'USD', quote: 'EUR', rate: '0.92', effectiveOn: day },
        new Date(),
      ),
    )
    return this.track(r.id)
  }
}

export type { RouteRequest }
type RouteFixture = Fixture<FixtureKit>

/**
 * A valid request for every /api/v1 route, keyed "METHOD /api/v1/path/{param}". The RBAC matrix test
 * fails for any route missing here, so every new route gets its authorisation checked.
 */
export const routeFixtures: Record<string, RouteFixture> = {
  ...templateFixtures,
  ...sideConversationFixtures,
  ...slaCalendarFixtures,
  ...slaFixtures,
  ...csatFixtures,
  ...retentionFixtures,
  ...evidenceRequestFixtures,
  ...evidenceFixtures,
  ...ruleFixtures,
  'GET /api/v1/auth/session': async () => ({}),
  'POST /api/v1/auth/logout': async () => ({ ownStatus: 204 }),
  'POST /api/v1/auth/password': async () => ({
    body: { current_password: 'whatever-it-is', new_password: 'a-new-password-1' },
    ownStatus: 403,
  }),

  'GET /api/v1/api-keys': async () => ({}),
  'POST /api/v1/api-keys': async (k) => ({ body: { name: k.unique('key'), role_id: k.builtinRole('viewer') } }),
  'DELETE /api/v1/api-keys/{id}': async (k) => ({ params: { id: await k.apiKey() } }),

  'GET /api/v1/users': async () => ({ query: { limit: '5' } }),
  'GET /api/v1/users/{id}': async (k) => ({ params: { id: await k.user() } }),
  'POST /api/v1/users': async (k) => ({
    body: {
      email: `${k.unique('new')}@example.com`,
      name: 'New Person',
      password: 'new-person-password',
      role_id: k.builtinRole('viewer'),
    },
  }),
  'PATCH /api/v1/users/{id}': async (k) => ({ params: { id: await k.user() }, body: { name: 'Renamed Person' } }),

  'GET /api/v1/teams': async () => ({}),
  'GET /api/v1/teams/{id}': async (k) => ({ params: { id: await k.team() } }),
  'POST /api/v1/teams': async (k) => ({ body: { name: k.unique('Team'), member_ids: [await k.user()] } }),
  'PATCH /api/v1/teams/{id}': async (k) => ({ params: { id: await k.team() }, body: { lead_user_id: await k.user() } }),
  'DELETE /api/v1/teams/{id}': async (k) => ({ params: { id: await k.team() } }),

  'GET /api/v1/permissions': async () => ({}),
  'GET /api/v1/roles': async () => ({}),
  'GET /api/v1/roles/{id}': async (k) => ({ params: { id: await k.role() } }),
  'POST /api/v1/roles': async (k) => ({
    body: { name: k.unique('Role'), permissions: [{ permission: 'cases.read' }] },
  }),
  'PATCH /api/v1/roles/{id}': async (k) => ({ params: { id: await k.role() }, body: { description: 'changed' } }),
  'DELETE /api/v1/roles/{id}': async (k) => ({ params: { id: await k.role() } }),

  'GET /api/v1/merchant': async () => ({}),
  'PATCH /api/v1/merchant': async () => ({ body: { brand_name: 'Renamed Brand' } }),
  'GET /api/v1/currencies': async () => ({}),
  'GET /api/v1/exchange-rates': async () => ({}),
  'POST /api/v1/exchange-rates': async () => ({
    body: { base_currency: 'GBP', quote_currency: 'USD', rate: '1.27', effective_on: '2026-01-05' },
  }),
  'DELETE /api/v1/exchange-rates/{id}': async (k) => ({ params: { id: await k.exchangeRate() } }),

  'GET /api/v1/audit': async (k) => ({ query: { entity_type: 'team', entity_id: await k.team() } }),
  'GET /api/v1/audit/verify': async () => ({}),
  'GET /api/v1/audit/checkpoints': async () => ({}),

  'GET /api/v1/integrations/connections': async () => ({ query: { source: 'carriers' } }),
  'GET /api/v1/integrations/connections/{id}': async (k) => ({ params: { id: await k.connection() } }),
  'POST /api/v1/integrations/connections': async (k) => ({
    body: { source: 'carriers', provider: 'generic', name: k.unique('Carrier') },
  }),
  'PATCH /api/v1/integrations/connections/{id}': async (k) => ({
    params: { id: await k.connection() },
    body: { name: k.unique('Renamed') },
  }),
  'POST /api/v1/integrations/connections/{id}/secrets': async (k) => ({
    params: { id: await k.connection() },
    body: { grace_seconds: 60 },
  }),
  'GET /api/v1/webhooks/deliveries': async () => ({ query: { status: 'dead' } }),
  'GET /api/v1/webhooks/deliveries/{id}': async (k) => ({ params: { id: await k.delivery() } }),
  'POST /api/v1/webhooks/deliveries/{id}/replay': async (k) => ({ params: { id: await k.delivery() } }),
  'POST /api/v1/webhooks/deliveries/replay': async (k) => ({
    body: { status: 'dead', connection_id: await k.connection() },
  }),

  'GET /api/v1/customers': async () => ({ query: { segment: 'retail' } }),
  'GET /api/v1/customers/duplicates': async () => ({}),
  'GET /api/v1/customers/{id}': async (k) => ({ params: { id: await k.customer() } }),
  'GET /api/v1/customers/{id}/profile': async (k) => ({ params: { id: await k.customer() } }),
  'POST /api/v1/customers': async (k) => ({
    body: { external_id: k.unique('c'), name: 'New Customer', email: `${k.unique('n')}@example.com` },
  }),
  'PATCH /api/v1/customers/{id}': async (k) => ({ params: { id: await k.customer() }, body: { segment: 'vip' } }),
  'POST /api/v1/customers/{id}/merge': async (k) => ({
    params: { id: await k.customer() },
    body: { duplicate_id: await k.customer() },
  }),
  'DELETE /api/v1/customers/{id}': async (k) => ({ params: { id: await k.customer() } }),
  'GET /api/v1/orders': async () => ({ query: { source: 'test' } }),
  'GET /api/v1/orders/{id}': async (k) => ({ params: { id: (await k.order()).id } }),
  'POST /api/v1/orders': async (k) => ({
    body: {
      external_id: k.unique('o'),
      currency: 'GBP',
      placed_at: '2026-05-01T10:00:00Z',
      total_amount_minor: 1999,
      customer_id: await k.customer(),
      lines: [{ name: 'Tee', quantity: 1, unit_price_amount_minor: 1999 }],
    },
  }),
  'DELETE /api/v1/orders/{id}': async (k) => ({ params: { id: (await k.order()).id } }),
  'POST /api/v1/orders/{id}/payments/{paymentId}/refunds': async (k) => {
    const o = await k.order()
    return { params: { id: o.id, paymentId: o.paymentId }, body: { amount_minor: 500 } }
  },
  'GET /api/v1/carriers': async () => ({}),
  'GET /api/v1/shipments': async () => ({ query: { carrier_code: 'ups' } }),
  'GET /api/v1/shipments/{id}': async (k) => ({ params: { id: await k.shipment() } }),
  'POST /api/v1/shipments': async (k) => {
    const o = await k.order()
    return {
      body: {
        external_id: k.unique('s'),
        order_id: o.id,
        carrier: 'DPD',
        tracking_number: '15501234567890',
        lines: [{ order_line_id: o.lineId, quantity: 1 }],
      },
    }
  },
  'DELETE /api/v1/shipments/{id}': async (k) => ({ params: { id: await k.shipment() } }),
  'POST /api/v1/carrier-connections': async (k) => ({ body: { provider: 'generic', name: k.unique('Feed') } }),
  'GET /api/v1/carrier-connections': async () => ({}),
  'GET /api/v1/carrier-connections/{id}': async (k) => ({ params: { id: await k.carrierConnection() } }),
  'PATCH /api/v1/carrier-connections/{id}': async (k) => ({
    params: { id: await k.carrierConnection() },
    body: { settings: { quiet_hours: 12 } },
  }),
  'POST /api/v1/carrier-connections/{id}/secrets': async (k) => ({
    params: { id: await k.carrierConnection() },
    body: { grace_seconds: 60 },
  }),
  'GET /api/v1/carriers/providers': async () => ({}),
  'POST /api/v1/carriers/{provider}/normalize': async () => ({
    params: { provider: 'generic' },
    body: {
      type: 'tracking.updated',
      data: {
        carrier: 'dpd',
        tracking_number: '15501234567890',
        events: [{ status: 'delivered', occurred_at: '2026-11-01T10:00:00Z' }],
      },
    },
  }),
  'GET /api/v1/trackers/{id}': async (k) => ({ params: { id: await k.tracker() } }),
  'GET /api/v1/trackers/{id}/proofs/{proofId}': async (k) => {
    const t = await k.trackerWithProof()
    return { params: { id: t.tracker, proofId: t.proof } }
  },
  'GET /api/v1/shipments/{id}/tracking': async (k) => ({ params: { id: await k.shipment() } }),
  'GET /api/v1/carriers/stale-shipments': async () => ({}),
  'GET /api/v1/carriers/late-shipments': async () => ({}),
  'GET /api/v1/tracking/settings': async () => ({}),
  'PUT /api/v1/tracking/settings': async () => ({
    body: { stale_after_hours: 48, stale_rules: [{ carrier: 'royal_mail', service: null, hours: 36 }] },
  }),
  'GET /api/v1/case-types': async () => ({ query: { include_archived: 'true' } }),
  'GET /api/v1/case-types/{key}': async () => ({ params: { key: 'lost_parcel' } }),
  'POST /api/v1/case-types': async (k) => ({
    body: {
      key: k.unique('type').replace('-', '_'),
      label: 'Broken seal',
      custom_fields: [{ key: 'seal_id', label: 'Seal', type: 'text' }],
    },
  }),
  'PATCH /api/v1/case-types/{key}': async () => ({ params: { key: 'other' }, body: { label: 'Something else' } }),
  'DELETE /api/v1/case-types/{key}': async (k) => {
    const key = k.unique('gone').replace('-', '_')
    await k.ctx.db
      .transaction()
      .execute((trx) => createCaseType(trx, systemContext(k.m.id), { key, label: 'Unused' }, new Date()))
    return { params: { key } }
  },
  'GET /api/v1/cases': async () => ({ query: { status: 'unresolved', counts: 'true' } }),
  'POST /api/v1/cases': async (k) => ({
    body: { case_type: 'damaged', shipment_id: await k.shipment(), custom_fields: { damage_severity: 'cosmetic' } },
  }),
  'GET /api/v1/cases/{id}': async (k) => ({ params: { id: await k.case() } }),
  'PATCH /api/v1/cases/{id}': async (k) => ({
    params: { id: await k.case() },
    body: { priority: 'high', add_tags: ['vip'] },
  }),
  'POST /api/v1/cases/{id}/status': async (k) => ({
    params: { id: await k.case() },
    body: { status: 'resolved', resolution_code: 'replaced' },
  }),
  'POST /api/v1/cases/{id}/reopen': async (k) => {
    const id = await k.case()
    await k.ctx.db
      .transaction()
      .execute((trx) =>
        changeStatus(trx, systemContext(k.m.id), id, { status: 'resolved', resolutionCode: 'no_action' }, new Date()),
      )
    return { params: { id }, body: { reason: 'Customer wrote again' } }
  },
  'POST /api/v1/cases/{id}/assign': async (k) => ({
    params: { id: await k.case() },
    body: { assignee_id: await k.user() },
  }),
  'POST /api/v1/cases/{id}/escalate': async (k) => ({
    params: { id: await k.case() },
    body: { reason: 'Customer threatens a chargeback' },
  }),
  'POST /api/v1/cases/{id}/notes': async (k) => ({
    params: { id: await k.case() },
    body: { body: 'Called the depot.' },
  }),
  'GET /api/v1/cases/{id}/timeline': async (k) => ({ params: { id: await k.case() }, query: { order: 'desc' } }),
  'POST /api/v1/cases/{id}/links': async (k) => ({
    params: { id: await k.case() },
    body: { links: [{ entity_type: 'customer', entity_id: await k.customer() }] },
  }),
  'DELETE /api/v1/cases/{id}/links/{entityType}/{entityId}': async (k) => {
    const id = await k.case()
    const customer = await k.customer()
    await k.ctx.db
      .transaction()
      .execute((trx) =>
        linkRecords(trx, systemContext(k.m.id), id, [{ entityType: 'customer', entityId: customer }], new Date()),
      )
    return { params: { id, entityType: 'customer', entityId: customer } }
  },
  'POST /api/v1/cases/{id}/merge': async (k) => ({
    params: { id: await k.case() },
    body: { duplicate_ids: [await k.case()] },
  }),
  'PUT /api/v1/cases/{id}/followers/me': async (k) => ({ params: { id: await k.case() }, ownStatus: 403 }),
  'DELETE /api/v1/cases/{id}/followers/me': async (k) => ({ params: { id: await k.case() }, ownStatus: 403 }),
  'GET /api/v1/notifications': async () => ({ query: { unread: 'true' }, ownStatus: 403 }),
  'POST /api/v1/notifications/read': async () => ({ body: { all: true }, ownStatus: 403 }),
  'GET /api/v1/notifications/email-digest': async () => ({ ownStatus: 403 }),
  'PUT /api/v1/notifications/email-digest': async () => ({ body: { enabled: false }, ownStatus: 403 }),
  'GET /api/v1/case-settings': async () => ({}),
  'PUT /api/v1/case-settings': async () => ({ body: { reopen_window_hours: 48 } }),
  'GET /api/v1/case-reviews': async () => ({ query: { state: 'pending' } }),
  'POST /api/v1/case-reviews/{id}/decision': async (k) => ({
    params: { id: await k.review() },
    body: { decision: 'dismiss' },
  }),
  'POST /api/v1/cases/bulk': async (k) => ({
    body: { case_ids: [await k.case(), await k.case()], action: { type: 'tags', add: ['bulk'] } },
  }),
  'POST /api/v1/cases/{id}/children': async (k) => ({
    params: { id: await k.case() },
    body: { case_ids: [await k.case()] },
  }),
  'DELETE /api/v1/cases/{id}/children/{childId}': async (k) => {
    const { parent, child } = await k.incident()
    return { params: { id: parent, childId: child } }
  },
  'POST /api/v1/cases/{id}/children/actions': async (k) => ({
    params: { id: (await k.incident()).parent },
    body: { action: { type: 'note', body: 'Carrier outage over' } },
  }),
  'POST /api/v1/cases/{id}/split': async (k) => ({
    params: { id: await k.case() },
    body: { subject: 'The second parcel' },
  }),
  'GET /api/v1/cases/stats': async () => ({ query: { days: '7' } }),
  'GET /api/v1/cases/{id}/presence': async (k) => ({ params: { id: await k.case() } }),
  'PUT /api/v1/cases/{id}/presence': async (k) => ({
    params: { id: await k.case() },
    body: { state: 'viewing' },
    ownStatus: 403,
  }),
  'DELETE /api/v1/cases/{id}/presence': async (k) => ({ params: { id: await k.case() }, ownStatus: 403 }),
  'POST /api/v1/cases/{id}/portal-links': async (k) => ({
    params: { id: await k.case() },
    body: { expires_in_days: 7 },
  }),
  'POST /api/v1/cases/{id}/auto-assign': async (k) => ({
    params: { id: await k.case() },
    body: { team_id: await k.team(), strategy: 'least_loaded' },
  }),
  'GET /api/v1/teams/{id}/agents': async (k) => ({ params: { id: await k.team() } }),
  'PUT /api/v1/case-agents/{userId}': async (k) => ({
    params: { userId: await k.user() },
    body: { capacity: 10, away: false },
  }),
  'GET /api/v1/case-views': async () => ({}),
  'POST /api/v1/case-views': async (k) => ({
    body: {
      name: k.unique('View'),
      shared: true,
      filters: { status: 'open', priority: 'urgent' },
      sort: 'created_asc',
    },
  }),
  'PATCH /api/v1/case-views/{id}': async (k) => ({
    params: { id: await k.view() },
    body: { name: k.unique('Renamed') },
  }),
  'DELETE /api/v1/case-views/{id}': async (k) => ({ params: { id: await k.view() } }),
  'GET /api/v1/stream': async () => ({ stream: true }),
  'POST /api/v1/imports': async (k) => ({
    query: { type: 'customers' },
    raw: {
      contentType: 'application/x-ndjson',
      payload: `${JSON.stringify({ external_id: k.unique('imp'), email: `${k.unique('i')}@example.com`, name: 'Imported Person' })}\n`,
    },
  }),
  'GET /api/v1/cases/{id}/messages': async (k) => ({ params: { id: await k.case() } }),
  'POST /api/v1/cases/{id}/messages': async (k) => ({
    params: { id: await k.case() },
    body: { text: 'Your replacement is on its way.', to: [{ address: 'customer@example.com' }] },
    ownStatus: 201,
  }),
  'GET /api/v1/messages': async () => ({ query: { status: 'failed' } }),
  'GET /api/v1/messages/{id}': async (k) => ({ params: { id: await k.message() } }),
  'GET /api/v1/messages/{id}/raw': async (k) => ({ params: { id: await k.message() } }),
  'POST /api/v1/messages/{id}/retry': async (k) => ({ params: { id: await k.message() } }),
  'GET /api/v1/cases/{id}/phone-channels': async (k) => ({ params: { id: await k.case() } }),
  'GET /api/v1/messaging/phone-settings': async () => ({}),
  'PUT /api/v1/messaging/phone-settings': async () => ({
    body: { quiet_hours: { enabled: true, start: '21:00', end: '08:00' } },
  }),
}
