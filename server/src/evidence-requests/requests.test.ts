import { describe, expect, it } from 'vitest'
import { expectError, startTestApp } from '../../test/harness.js'
import { systemContext } from '../auth/actor.js'
import { openCase } from '../cases/service.js'
import { pdf, photoJpeg, photoPng } from '../evidence/testing.js'
import { newId } from '../ids.js'
import { fireDueActions } from '../jobs/clock-runner.js'
import { clockHandlers } from '../jobs/worker.js'
import { signLink } from '../links/signed-links.js'
import { modules } from '../registry.js'
import { portalLimits } from './routes.js'
import { portalTarget } from './service.js'
import { type FormPart, multipartForm } from './testing-http.js'

const publicUrl = 'https://cd.example.com'
const { env, app, m, call, other } = await startTestApp({ other: true, config: { publicUrl, filesMaxBytes: 100_000 } })
const [jpeg, png, pdfDoc] = await Promise.all([photoJpeg(), photoPng(), pdf()])
const db = env.ctx.db
const handlers = clockHandlers(modules)
const clockAt = (now: Date) => fireDueActions(env.ctx, handlers, () => now)
const requestItems = (requestId: string) =>
  db.selectFrom('evidence_items').selectAll().where('request_id', '=', requestId).execute()
const hours = (h: number, from = new Date()) => new Date(from.getTime() + h * 3_600_000)

async function openWithCustomer(merchantId = m.id, asAs: 'admin' | string = 'admin') {
  const customer = await call(
    'POST',
    '/customers',
    { source: 'test', external_id: `c-${newId()}`, name: 'Sam Reed', email: 'sam@example.com' },
    merchantId === m.id ? asAs : { authorization: `Bearer ${other.keys.admin}` },
  )
  expect(customer.statusCode, customer.body).toBeLessThan(300)
  const c = await db
    .transaction()
    .execute((trx) =>
      openCase(
        trx,
        systemContext(merchantId),
        { caseType: 'damaged', subject: 'Broken mug', customerId: customer.json().id },
        new Date(),
      ),
    )
  return c.id
}

const ask = (caseId: string, body: Record<string, unknown> = {}) =>
  call('POST', `/cases/${caseId}/evidence-requests`, {
    types: ['damage_photo', 'packaging_photo'],
    message: 'Please show us the damage and the box.',
    deadline_hours: 48,
    ...body,
  })

const tokenOf = (url: string) => url.slice(`${publicUrl}/portal/evidence/`.length)
const portal = (token: string) => app.inject({ method: 'GET', url: `/api/v1/portal/evidence/${token}` })
const upload = (token: string, parts: FormPart[]) =>
  app.inject({ method: 'POST', url: `/api/v1/portal/evidence/${token}/files`, ...multipartForm(parts) })
const photo = (name = 'photo.jpg'): FormPart => ({
  name: 'files',
  filename: name,
  type: 'image/jpeg',
  data: jpeg,
})
const eventsOf = (type: string, requestId: string) =>
  db
    .selectFrom('outbox')
    .select(['data'])
    .where('merchant_id', '=', m.id)
    .where('type', '=', type)
    .execute()
    .then((rows) => rows.filter((r) => (r.data as { request_id: string }).request_id === requestId))

describe('evidence requests', () => {
  it('mints an upload link, sends the template with what is asked, why, the deadline and the link, and arms the clock', async () => {
    const caseId = await openWithCustomer()
    const res = await ask(caseId)
    expect(res.statusCode, res.body).toBe(201)
    const body = res.json()
    expect(body).toMatchObject({
      case_id: caseId,
      type_keys: ['damage_photo', 'packaging_photo'],
      status: 'open',
      missing: ['damage_photo', 'packaging_photo'],
      received: [],
      url: expect.stringMatching(/^https:\/\/cd\.example\.com\/portal\/evidence\/[\w-]+\.[\w-]+$/),
      delivery: expect.arrayContaining([{ channel: 'email', message_id: expect.any(String), skipped: null }]),
    })
    const message = await db
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', body.message_id)
      .executeTakeFirstOrThrow()
    expect(message.subject).toMatch(/^We need a few things for your case CD-\d+$/)
    expect(message.text_body).toContain('we need: Damage photo, Packaging photo.')
    expect(message.text_body).toContain('Please show us the damage and the box.')
    expect(message.text_body).toContain(`Send your photos and files: ${body.url}`)
    expect(message.text_body).not.toContain('/portal/ey') // no status-page link minted beside it
    const actions = await db
      .selectFrom('scheduled_actions')
      .select(['key', 'task', 'run_at'])
      .where('merchant_id', '=', m.id)
      .where('key', 'like', `evidence_request:${body.id}:%`)
      .orderBy('run_at')
      .execute()
    expect(actions.map((a) => a.task)).toEqual(['evidence-requests:reminder', 'evidence-requests:overdue'])
    expect(actions[1]!.run_at.toISOString()).toBe(body.due_at)
    expect(actions[1]!.run_at.getTime() - actions[0]!.run_at.getTime()).toBe(12 * 3_600_000)
    const timeline = await db.selectFrom('case_timeline').select(['type']).where('case_id', '=', caseId).execute()
    expect(timeline.map((t) => t.type)).toContain('evidence_requested')
    expect(await eventsOf('evidence.requested', body.id)).toHaveLength(1)
    const list = await call('GET', `/cases/${caseId}/evidence-requests`, undefined, 'viewer')
    expect(list.json().data).toEqual([expect.objectContaining({ id: body.id, status: 'open', link_state: 'active' })])
    expect(list.body).not.toContain(tokenOf(body.url))
  })

  it('refuses unknown or repeated types, deadlines too near or too far, and both or neither deadline field', async () => {
    const caseId = await openWithCustomer()
    const errors = async (body: Record<string, unknown>) => {
      const res = await ask(caseId, body)
      expect(res.statusCode, res.body).toBe(422)
      expect(res.json().error.code).toBe('evidence_request_invalid')
      return res.json().error.details.errors.map((e: { path: string }) => e.path)
    }
    expect(await errors({ types: ['selfie'] })).toEqual(['/types/0'])
    expect(await errors({ types: ['damage_photo', 'damage_photo'] })).toEqual(['/types/1'])
    expect(await errors({ deadline_hours: undefined, due_at: new Date(Date.now() - 60_000).toISOString() })).toEqual([
      '/due_at',
    ])
    expect(await errors({ deadline_hours: 24, due_at: hours(24).toISOString() })).toEqual(['/deadline_hours'])
    expect(await errors({ deadline_hours: undefined })).toEqual(['/deadline_hours'])
    expect((await ask(caseId, { deadline_hours: 721 })).statusCode).toBe(400)
    expect((await ask(caseId, { message: 'a\u0000b' })).statusCode).toBe(400)
    expect((await ask(caseId, { types: [] })).statusCode).toBe(400)
    expect(await db.selectFrom('evidence_requests').select('id').where('case_id', '=', caseId).execute()).toEqual([])
    expect(await db.selectFrom('signed_links').select('id').where('subject_id', '=', caseId).execute()).toEqual([])
  })

  it("answers 404 for another workspace's case or request, and 403 to a role without cases.write", async () => {
    const foreignCase = await openWithCustomer(other.id)
    expectError(await ask(foreignCase), 404, 'case_not_found', { case_id: foreignCase })
    expectError(await call('GET', `/cases/${foreignCase}/evidence-requests`), 404, 'case_not_found', {
      case_id: foreignCase,
    })
    const foreign = await call(
      'POST',
      `/cases/${foreignCase}/evidence-requests`,
      { types: ['damage_photo'], message: 'Photos please', deadline_hours: 24 },
      { authorization: `Bearer ${other.keys.admin}` },
    )
    expect(foreign.statusCode, foreign.body).toBe(201)
    expectError(
      await call('POST', `/evidence-requests/${foreign.json().id}/cancel`),
      404,
      'evidence_request_not_found',
      {
        request_id: foreign.json().id,
      },
    )
    const mine = await openWithCustomer()
    const body = { types: ['damage_photo'], message: 'Photos please', deadline_hours: 2 }
    expect((await call('POST', `/cases/${mine}/evidence-requests`, body, 'viewer')).statusCode).toBe(403)
    const created = (await ask(mine)).json()
    expect((await call('POST', `/evidence-requests/${created.id}/cancel`, undefined, 'viewer')).statusCode).toBe(403)
  })
})

describe('the customer portal', () => {
  it('shows what is asked and takes the files; the last type asked for completes the request and kills the link', async () => {
    const caseId = await openWithCustomer()
    const created = (await ask(caseId)).json()
    const token = tokenOf(created.url)
    const view = await portal(token)
    expect(view.statusCode, view.body).toBe(200)
    expect(view.headers['cache-control']).toBe('no-store')
    expect(view.json()).toMatchObject({
      case_number: expect.stringMatching(/^CD-\d+$/),
      message: 'Please show us the damage and the box.',
      overdue: false,
      types: [
        { key: 'damage_photo', label: 'Damage photo', kind: 'photo', received: false },
        { key: 'packaging_photo', label: 'Packaging photo', kind: 'photo', received: false },
      ],
      received: [],
    })

    const first = await upload(token, [{ name: 'type', value: 'damage_photo' }, photo('crack.jpg'), photo('side.jpg')])
    expect(first.statusCode, first.body).toBe(201)
    expect(first.json().received.map((r: { name: string; type_key: string }) => [r.name, r.type_key])).toEqual([
      ['crack.jpg', 'damage_photo'],
      ['side.jpg', 'damage_photo'],
    ])
    expect(Object.keys(first.json().received[0]).sort()).toEqual(['name', 'received_at', 'type_key'])
    expect(await requestItems(created.id)).toEqual([
      expect.objectContaining({ source: 'portal', uploader_kind: 'customer', content_type: 'image/jpeg' }),
      expect.objectContaining({ source: 'portal', uploader_kind: 'customer' }),
    ])
    expect(await eventsOf('evidence.received', created.id)).toHaveLength(2)
    expect(await eventsOf('evidence.request_completed', created.id)).toHaveLength(0)

    const second = await upload(token, [
      { name: 'type', value: 'packaging_photo' },
      { name: 'files', filename: 'box.png', type: 'image/png', data: png },
    ])
    expect(second.statusCode, second.body).toBe(201)
    expect(await eventsOf('evidence.request_completed', created.id)).toHaveLength(1)
    const list = (await call('GET', `/cases/${caseId}/evidence-requests`)).json().data[0]
    expect(list).toMatchObject({
      status: 'completed',
      link_state: 'completed',
      missing: [],
      completed_at: expect.any(String),
    })
    expectError(await portal(token), 410, 'link_completed', { completed_at: expect.any(String) })
    expect((await upload(token, [{ name: 'type', value: 'damage_photo' }, photo()])).statusCode).toBe(410)
    const actions = await db
      .selectFrom('scheduled_actions')
      .select('state')
      .where('key', 'like', `evidence_request:${created.id}:%`)
      .execute()
    expect(actions.map((a) => a.state)).toEqual(['cancelled', 'cancelled'])
  })

  it('refuses a type not asked for, files before any type, no files, a body that is not multipart, and bad bytes', async () => {
    const caseId = await openWithCustomer()
    const created = (await ask(caseId)).json()
    const token = tokenOf(created.url)
    expectError(
      await upload(token, [{ name: 'type', value: 'invoice' }, photo()]),
      422,
      'evidence_type_not_requested',
      {
        type_key: 'invoice',
        wanted: ['damage_photo', 'packaging_photo'],
      },
    )
    expect((await upload(token, [photo()])).json().error.code).toBe('validation_failed')
    expectError(await upload(token, [{ name: 'type', value: 'damage_photo' }]), 400, 'evidence_files_missing')
    const json = await app.inject({ method: 'POST', url: `/api/v1/portal/evidence/${token}/files`, payload: { a: 1 } })
    // A JSON body is refused before the route: the route takes a form, never a JSON body.
    expect(json.statusCode, json.body).toBe(400)
    const fake = await upload(token, [
      { name: 'type', value: 'damage_photo' },
      { name: 'files', filename: 'photo.jpg', type: 'image/jpeg', data: Buffer.from('MZ not a photo at all') },
    ])
    expect(fake.statusCode, fake.body).toBe(415)
    const pdfAsPhoto = await upload(token, [
      { name: 'type', value: 'damage_photo' },
      { name: 'files', filename: '../../etc/passwd.jpg', type: 'image/jpeg', data: pdfDoc },
    ])
    expect(pdfAsPhoto.statusCode).toBe(415)
    expect(await requestItems(created.id)).toEqual([])
    expect((await portal(token)).json().received).toEqual([])
  })

  it('refuses forged, tampered, foreign-purpose, revoked and expired links with clear 4xx', async () => {
    const caseId = await openWithCustomer()
    const created = (await ask(caseId)).json()
    const token = tokenOf(created.url)
    const [body, sig] = token.split('.') as [string, string]
    expectError(await portal(`${body}.${sig.slice(0, -2)}AA`), 401, 'link_invalid')
    expectError(await portal('not-a-token'), 401, 'link_invalid')
    expect((await portal(encodeURIComponent('a\u0000.b'))).json().error.code).toBe('validation_failed')
    const statusLink = signLink(
      env.ctx.keys.links,
      { merchantId: m.id, purpose: 'case_status', subjectType: 'case', subjectId: caseId, expiresAt: hours(1) },
      new Date(),
    )
    expectError(await portal(statusLink), 403, 'link_invalid')
    // Genuinely signed for this purpose and case, but never stored.
    const unstored = signLink(
      env.ctx.keys.links,
      { merchantId: m.id, purpose: 'evidence_upload', subjectType: 'case', subjectId: caseId, expiresAt: hours(1) },
      new Date(),
    )
    expectError(await portal(unstored), 401, 'link_invalid')
    const expired = await portalTarget(env.ctx, env.ctx.keys.links, token, hours(48 + 7 * 24)).catch((e: unknown) => e)
    expect(expired).toMatchObject({ code: 'link_expired', status: 401 })

    const cancelled = await call('POST', `/evidence-requests/${created.id}/cancel`)
    expect(cancelled.statusCode, cancelled.body).toBe(200)
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', cancelled_at: expect.any(String) })
    expectError(await portal(token), 410, 'link_revoked', { revoked_at: expect.any(String) })
    expect((await upload(token, [{ name: 'type', value: 'damage_photo' }, photo()])).statusCode).toBe(410)
    expectError(await call('POST', `/evidence-requests/${created.id}/cancel`), 409, 'evidence_request_closed', {
      request_id: created.id,
      status: 'cancelled',
    })
    const links = (await call('GET', `/cases/${caseId}/links`)).json().data
    expect(links).toEqual([expect.objectContaining({ id: created.link_id, state: 'revoked' })])
  })
})

describe('what agents see of a request', () => {
  it('shows a link revoked on its own: the request stays open, its link is dead', async () => {
    const caseId = await openWithCustomer()
    const created = (await ask(caseId)).json()
    expect((await call('POST', `/links/${created.link_id}/revoke`, undefined, 'agent')).statusCode).toBe(200)
    const item = (await call('GET', `/cases/${caseId}/evidence-requests`)).json().data[0]
    expect(item).toMatchObject({ status: 'open', link_state: 'revoked' })
    expect((await portal(tokenOf(created.url))).statusCode).toBe(410)
  })

  it('counts a sensitive type as received for everyone, but lists its file only to roles that may see it', async () => {
    const caseId = await openWithCustomer()
    const created = (await ask(caseId, { types: ['damage_photo', 'invoice'] })).json()
    const token = tokenOf(created.url)
    await upload(token, [{ name: 'type', value: 'damage_photo' }, photo('mug.jpg')])
    await upload(token, [
      { name: 'type', value: 'invoice' },
      { name: 'files', filename: 'receipt.pdf', type: 'application/pdf', data: pdfDoc },
    ])
    const forAgent = (await call('GET', `/cases/${caseId}/evidence-requests`, undefined, 'agent')).json().data[0]
    expect(forAgent).toMatchObject({ status: 'completed', missing: [] })
    expect(forAgent.received.map((r: { name: string }) => r.name)).toEqual(['mug.jpg'])
    const forAdmin = (await call('GET', `/cases/${caseId}/evidence-requests`)).json().data[0]
    expect(forAdmin.received.map((r: { name: string }) => r.name)).toEqual(['mug.jpg', 'receipt.pdf'])
  })
})

describe('the clock', () => {
  it('reminds before the deadline, turns the request overdue at it, and still completes it from a late upload', async () => {
    const caseId = await openWithCustomer()
    const created = (await ask(caseId, { types: ['damage_photo'], deadline_hours: 48 })).json()
    const due = new Date(created.due_at)
    await clockAt(hours(-12, due))
    const reminded = (await call('GET', `/cases/${caseId}/evidence-requests`)).json().data[0]
    expect(reminded).toMatchObject({ status: 'open', reminded_at: expect.any(String) })
    const messages = await db
      .selectFrom('messages')
      .select(['text_body'])
      .where('case_id', '=', caseId)
      .orderBy('created_at')
      .execute()
    expect(messages).toHaveLength(2)
    expect(messages[1]!.text_body).toContain(created.url)

    await clockAt(due)
    expect((await call('GET', `/cases/${caseId}/evidence-requests`)).json().data[0]).toMatchObject({
      status: 'overdue',
      overdue_at: expect.any(String),
    })
    expect((await eventsOf('evidence.request_overdue', created.id)).map((e) => e.data)).toEqual([
      { case_id: caseId, request_id: created.id, missing: ['damage_photo'] },
    ])
    // Fired again (a redelivery): nothing more.
    await clockAt(hours(1, due))
    expect(await eventsOf('evidence.request_overdue', created.id)).toHaveLength(1)

    const late = await upload(tokenOf(created.url), [{ name: 'type', value: 'damage_photo' }, photo()])
    expect(late.statusCode, late.body).toBe(201)
    expect((await call('GET', `/cases/${caseId}/evidence-requests`)).json().data[0].status).toBe('completed')
  })
})

describe('the portal under load and at its limits', () => {
  it('refuses a file over FILES_MAX_BYTES with 413 and more than 10 files with 413, keeping nothing of them', async () => {
    const caseId = await openWithCustomer()
    const created = (await ask(caseId)).json()
    const token = tokenOf(created.url)
    const big = Buffer.concat([jpeg, Buffer.alloc(150_000)])
    const tooBig = await upload(token, [
      { name: 'type', value: 'damage_photo' },
      { name: 'files', filename: 'big.jpg', type: 'image/jpeg', data: big },
    ])
    expect(tooBig.statusCode, tooBig.body).toBe(413)
    const many = await upload(token, [
      { name: 'type', value: 'damage_photo' },
      ...Array.from({ length: 11 }, (_, i) => photo(`p${i}.jpg`)),
    ])
    expect(many.statusCode, many.body).toBe(413)
    // Files before the refused eleventh were whole and stay, recorded as received.
    const view = (await portal(token)).json()
    expect(view.received.length).toBe((await requestItems(created.id)).length)
    expect(view.received.every((r: { name: string }) => r.name !== 'big.jpg')).toBe(true)
  })

  it('answers 429 once a link is used more often than the limit allows', async () => {
    const caseId = await openWithCustomer()
    const token = tokenOf((await ask(caseId)).json().url)
    for (let i = 0; i < portalLimits.perLink; i++) expect((await portal(token)).statusCode).toBe(200)
    const refused = await portal(token)
    expectError(refused, 429, 'too_many_requests', {
      scope: 'link',
      limit: portalLimits.perLink,
      window_seconds: portalLimits.windowSeconds,
      retry_after_seconds: expect.any(Number),
    })
    expect(refused.headers['retry-after']).toBeDefined()
  })
})
