import { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import { expectError, startTestApp } from '../../test/harness.js'
import { runDueJobs } from '../../test/jobs.js'
import { modules } from '../registry.js'
import { replayWebhooksCli } from './cli.js'
import { seedConnection, seedDelivery, signedHeaders } from './testing.js'

const { env, app, m, other: foreign, call } = await startTestApp({ other: 'foreign' })
const conn = await seedConnection(env.ctx, m.id)

const get = (url: string, key = m.keys.admin) => call('GET', url, undefined, key)
const post = (url: string, payload?: object, key = m.keys.admin) => call('POST', url, payload, key)

describe('webhook deliveries API', () => {
  it('shows a delivery with its headers and raw body as UTF-8 text', async () => {
    const body = '{"type":"shipment.delivered","note":"caf\u00e9"}'
    const headers = {
      ...signedHeaders(conn.secret, body, { id: 'msg_detail' }),
      authorization: 'Bearer not-for-storage',
    }
    const res = await app.inject({ method: 'POST', url: `/webhooks/3pl/generic/${conn.id}`, payload: body, headers })
    const id = res.json().delivery_id as string
    const detail = await get(`/api/v1/webhooks/deliveries/${id}`)
    expect(detail.statusCode).toBe(200)
    const view = detail.json()
    expect(view).toMatchObject({
      id,
      connection_id: conn.id,
      source: '3pl',
      provider: 'generic',
      dedup_key: 'msg_detail',
      content_type: 'application/json',
      status: 'received',
      attempts: 0,
      last_error: null,
      processed_at: null,
      body_size: Buffer.byteLength(body),
      body,
      body_encoding: 'utf8',
    })
    expect(view.headers).toMatchObject({ 'webhook-id': 'msg_detail', 'content-type': 'application/json' })
    expect(view.headers).not.toHaveProperty('authorization')
  })

  it('gives bodies that are not UTF-8 as base64, flagged', async () => {
    // Valid JSON once decoded leniently, but byte 0xff is not UTF-8: the stored bytes are kept exactly.
    const body = Buffer.concat([Buffer.from('{"type":"x","raw":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')])
    const res = await app.inject({
      method: 'POST',
      url: `/webhooks/3pl/generic/${conn.id}`,
      payload: body,
      headers: signedHeaders(conn.secret, body),
    })
    expect(res.statusCode).toBe(200)
    const view = (await get(`/api/v1/webhooks/deliveries/${res.json().delivery_id}`)).json()
    expect(view.body_encoding).toBe('base64')
    expect(Buffer.compare(Buffer.from(view.body, 'base64'), body)).toBe(0)
  })

  it('lists deliveries by status and connection, a page at a time, without bodies', async () => {
    const other = await seedConnection(env.ctx, m.id, { name: 'Second carrier' })
    const dead = [
      await seedDelivery(env.ctx, m.id, other.id, { status: 'dead' }),
      await seedDelivery(env.ctx, m.id, other.id, { status: 'dead' }),
      await seedDelivery(env.ctx, m.id, other.id, { status: 'dead' }),
    ]
    await seedDelivery(env.ctx, m.id, other.id, { status: 'processed' })
    const first = await get(`/api/v1/webhooks/deliveries?status=dead&connection_id=${other.id}&limit=2`)
    expect(first.statusCode).toBe(200)
    expect(first.json().data.map((d: { id: string }) => d.id)).toEqual(dead.slice(0, 2))
    expect(first.json().data[0]).not.toHaveProperty('body')
    expect(first.json().data[0]).not.toHaveProperty('headers')
    const second = await get(
      `/api/v1/webhooks/deliveries?status=dead&connection_id=${other.id}&limit=2&cursor=${first.json().next_cursor}`,
    )
    expect(second.json()).toEqual({
      data: [expect.objectContaining({ id: dead[2], status: 'dead' })],
      next_cursor: null,
    })
    const all = await get(`/api/v1/webhooks/deliveries?connection_id=${other.id}`)
    expect(all.json().data).toHaveLength(4)
    const bad = await get('/api/v1/webhooks/deliveries?status=lost')
    expectError(bad, 400, 'validation_failed', {
      errors: [{ path: 'querystring/status', message: 'must be equal to one of the allowed values' }],
    })
  })

  it('needs integrations.read to look and integrations.manage to replay', async () => {
    const id = await seedDelivery(env.ctx, m.id, conn.id, { status: 'failed' })
    for (const role of ['agent', 'viewer', 'finance'] as const) {
      const res = await get('/api/v1/webhooks/deliveries', m.keys[role])
      expect(res.statusCode, role).toBe(403)
      expect(res.json()).toEqual({
        error: {
          code: 'forbidden',
          message: 'This needs the integrations.read permission',
          details: { permission: 'integrations.read' },
        },
      })
      expect((await get(`/api/v1/webhooks/deliveries/${id}`, m.keys[role])).statusCode, role).toBe(403)
    }
    expect((await get(`/api/v1/webhooks/deliveries/${id}`, m.keys.manager)).statusCode).toBe(200)
    const denied = await post(`/api/v1/webhooks/deliveries/${id}/replay`, undefined, m.keys.manager)
    expect(denied.statusCode).toBe(403)
    expect(denied.json().error.details).toEqual({ permission: 'integrations.manage' })
    expect((await post('/api/v1/webhooks/deliveries/replay', { status: 'failed' }, m.keys.manager)).statusCode).toBe(
      403,
    )
    expect((await get(`/api/v1/webhooks/deliveries/${id}`)).json().status).toBe('failed')
  })

  it("never shows or replays another workspace's delivery", async () => {
    const theirs = await seedConnection(env.ctx, foreign.id)
    const id = await seedDelivery(env.ctx, foreign.id, theirs.id, { status: 'dead' })
    const notFound = {
      error: { code: 'delivery_not_found', message: 'No such webhook delivery', details: { delivery_id: id } },
    }
    expect((await get(`/api/v1/webhooks/deliveries/${id}`)).json()).toEqual(notFound)
    const replay = await post(`/api/v1/webhooks/deliveries/${id}/replay`)
    expect(replay.statusCode).toBe(404)
    expect(replay.json()).toEqual(notFound)
    expect((await get(`/api/v1/webhooks/deliveries?connection_id=${theirs.id}`)).json().data).toEqual([])
    const bulk = await post('/api/v1/webhooks/deliveries/replay', { status: 'dead', connection_id: theirs.id })
    expect(bulk.statusCode).toBe(404)
    expect(bulk.json()).toEqual({
      error: { code: 'connection_not_found', message: 'No such connection', details: { connection_id: theirs.id } },
    })
    const row = await env.ctx.db
      .selectFrom('webhook_deliveries')
      .select('status')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    expect(row.status).toBe('dead')
  })

  it('replays a processed delivery: waiting for the drain again, with an audit entry', async () => {
    const id = await seedDelivery(env.ctx, m.id, conn.id, { status: 'processed' })
    const res = await post(`/api/v1/webhooks/deliveries/${id}/replay`)
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ id, status: 'received', processed_at: null })
    const row = await env.ctx.db
      .selectFrom('webhook_deliveries')
      .select(['status', 'attempts'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    expect(row).toEqual({ status: 'received', attempts: 1 })
    await runDueJobs(env.ctx, modules)
    const processed = await env.ctx.db
      .selectFrom('webhook_deliveries')
      .select(['status', 'attempts'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    expect(processed).toEqual({ status: 'processed', attempts: 2 })
    const audit = await env.ctx.db
      .selectFrom('audit_entries')
      .select(['action', 'changes'])
      .where('entity_id', '=', id)
      .execute()
    expect(audit).toEqual([
      { action: 'webhook_delivery.replayed', changes: { status: { from: 'processed', to: 'received' } } },
    ])
  })
})

describe('replay-webhooks command', () => {
  async function run(...args: string[]): Promise<string[]> {
    const lines: string[] = []
    const program = new Command('claimdesk').exitOverride()
    replayWebhooksCli(program, {
      withContext: (fn) => fn(env.ctx),
      resolveWorkspace: async () => m.id,
      out: (line) => lines.push(line),
    })
    await program.parseAsync(['replay-webhooks', ...args], { from: 'user' })
    return lines
  }

  it('re-queues dead deliveries by default, failed ones or one delivery on request', async () => {
    const cli = await seedConnection(env.ctx, m.id, { name: 'CLI carrier' })
    const dead = [
      await seedDelivery(env.ctx, m.id, cli.id, { status: 'dead' }),
      await seedDelivery(env.ctx, m.id, cli.id, { status: 'dead' }),
    ]
    const failed = await seedDelivery(env.ctx, m.id, cli.id, { status: 'failed' })
    const processed = await seedDelivery(env.ctx, m.id, cli.id, { status: 'processed' })
    expect(await run('--connection', cli.id)).toEqual(['re-queued 2 webhook deliveries'])
    expect(await run('--connection', cli.id)).toEqual(['re-queued 0 webhook deliveries'])
    expect(await run('--status', 'failed', '--connection', cli.id)).toEqual(['re-queued 1 webhook delivery'])
    expect(await run('--id', processed)).toEqual(['re-queued 1 webhook delivery'])
    const statuses = await env.ctx.db
      .selectFrom('webhook_deliveries')
      .select(['id', 'status'])
      .where('connection_id', '=', cli.id)
      .orderBy('id')
      .execute()
    expect(statuses).toEqual([...dead, failed, processed].map((id) => ({ id, status: 'received' })))
    const audit = await env.ctx.db
      .selectFrom('audit_entries')
      .select(['actor_type', 'action'])
      .where('entity_id', '=', failed)
      .execute()
    expect(audit).toEqual([{ actor_type: 'system', action: 'webhook_delivery.replayed' }])
    await expect(run('--status', 'processed')).rejects.toThrow('--status must be dead or failed')
  })
})
