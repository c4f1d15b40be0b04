import { describe, expect, it } from 'vitest'
import { startTestApp } from '../../../test/harness.js'
import { systemContext } from '../../auth/actor.js'
import { openCase } from '../../cases/service.js'
import { runDueJobs } from '../../../test/jobs.js'
import { modules } from '../../registry.js'
import { acknowledgeCase } from './acknowledge.js'

const { env, m, call } = await startTestApp({ config: { publicUrl: 'https://claimdesk.example.com' } })

const messagesOf = (caseId: string) =>
  env.ctx.db.selectFrom('messages').selectAll().where('case_id', '=', caseId).execute()

async function customer(email: string | null) {
  const res = await call('POST', '/customers', {
    source: 'test',
    external_id: `c-${Math.random()}`,
    name: 'Sam Reed',
    ...(email && { email }),
  })
  expect(res.statusCode, res.body).toBeLessThan(300)
  return res.json().id as string
}

describe('automatic acknowledgement', () => {
  it('acknowledges a case a customer opened, once, from the live version, never as a first response', async () => {
    const ack = (await call('GET', '/message-templates?purpose=acknowledgement&locale=en')).json().data[0]
    // A draft nobody saved or approved is not what customers get.
    await call('PATCH', `/message-templates/${ack.id}`, { subject: 'UNAPPROVED DRAFT' })
    const opened = await call('POST', '/cases', {
      case_type: 'other',
      subject: 'Where is my parcel?',
      customer_id: await customer('sam@example.com'),
    })
    expect(opened.statusCode, opened.body).toBe(201)
    const caseId = opened.json().id as string
    await runDueJobs(env.ctx, modules)
    // A redelivered event finds the acknowledgement already recorded (its Message-ID is unique per workspace).
    await acknowledgeCase(env.ctx, m.id, caseId, new Date())
    const messages = await messagesOf(caseId)
    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatchObject({
      direction: 'out',
      automatic: true,
      author_type: 'system',
      status: 'not_sent',
      status_reason: 'no mail server configured',
      template_id: ack.id,
      template_version: 1,
      to_addresses: [{ address: 'sam@example.com', name: 'Sam Reed' }],
      subject: expect.stringMatching(/^We've got your request \(CD-\d+\)$/),
    })
    expect(messages[0]!.text_body).toContain('Hi Sam,')
    expect(messages[0]!.text_body).toMatch(/Follow your case: https:\/\/claimdesk\.example\.com\/portal\//)
    expect((await call('GET', `/cases/${caseId}`)).json().first_response_at).toBeNull()
  })

  it('does not acknowledge cases without a customer email, or cases Claimdesk opened itself', async () => {
    const noEmail = (await call('POST', '/cases', { case_type: 'other', customer_id: await customer(null) })).json().id
    const noCustomer = (await call('POST', '/cases', { case_type: 'other' })).json().id
    const withEmail = await customer('policy@example.com')
    const bySource = (source: string) =>
      env.ctx.db
        .transaction()
        .execute((trx) =>
          openCase(trx, systemContext(m.id), { caseType: 'other', customerId: withEmail, source }, new Date()),
        )
    const [byPolicy, imported, manual] = [
      await bySource('exception_policy'),
      await bySource('import'),
      await bySource('manual'),
    ]
    await runDueJobs(env.ctx, modules)
    for (const id of [noEmail, noCustomer, byPolicy.id, imported.id]) expect(await messagesOf(id)).toEqual([])
    expect(await messagesOf(manual.id)).toHaveLength(1)
  })

  it('holds an acknowledgement whose live version fails link QA', async () => {
    const ack = (await call('GET', '/message-templates?purpose=acknowledgement&locale=en')).json().data[0]
    await call('PATCH', `/message-templates/${ack.id}`, { subject: 'Thanks', text: 'See http://insecure.example/x' })
    await call('POST', `/message-templates/${ack.id}/versions`)
    const live = await call('POST', `/message-templates/${ack.id}/versions/2/approval`, { make_live: true })
    expect(live.statusCode, live.body).toBe(200)
    const caseId = (
      await call('POST', '/cases', { case_type: 'other', customer_id: await customer('held@example.com') })
    ).json().id
    await runDueJobs(env.ctx, modules)
    expect(await messagesOf(caseId)).toMatchObject([
      { status: 'held', status_reason: 'not_https: text: http://insecure.example/x is not https', template_version: 2 },
    ])
  })
})
