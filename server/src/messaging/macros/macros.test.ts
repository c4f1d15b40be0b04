import { describe, expect, it } from 'vitest'
import { expectError, startTestApp } from '../../../test/harness.js'
import { caseWithOrder } from '../templates/testing.js'

const { env, m, call } = await startTestApp({ config: { publicUrl: 'https://claimdesk.example.com' } })

const templateId = async (purpose = 'damage_ack') =>
  ((await call('GET', `/message-templates?purpose=${purpose}`)).json().data[0] as { id: string }).id

async function macro(body: Record<string, unknown>) {
  const res = await call('POST', '/macros', { name: `Macro ${Math.random().toString(36).slice(2, 8)}`, ...body })
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { id: string; name: string }
}

describe('macros', () => {
  it('validates every action against the workspace: statuses, tags, people and the template', async () => {
    const res = await call('POST', '/macros', {
      name: 'Broken',
      template_id: '01930000-0000-7000-8000-000000000000',
      actions: [
        { type: 'set_status', status: 'resolved' },
        { type: 'add_tag', tag: 'two words' },
        { type: 'assign', user_id: '01930000-0000-7000-8000-000000000001' },
        { type: 'assign_team', team_id: '01930000-0000-7000-8000-000000000002' },
      ],
    })
    expectError(res, 422, 'macro_invalid', {
      errors: [
        { path: 'body/template_id', message: 'no such template (or archived)' },
        { path: 'body/actions/0', message: 'status must be one of open, waiting_customer, waiting_carrier, on_hold' },
        { path: 'body/actions/1', message: 'a tag is 1 to 50 characters without spaces or commas' },
        { path: 'body/actions/2', message: 'not an active person of this workspace' },
        { path: 'body/actions/3', message: 'no such team' },
      ],
    })
    expectError(
      await call('POST', '/macros', { name: 'x', actions: [{ type: 'explode' }] }),
      400,
      'validation_failed',
      expect.anything(),
    )
    expectError(await call('POST', '/macros', { name: 'Empty', actions: [] }), 422, 'macro_invalid', {
      errors: [{ path: 'body/actions', message: 'a macro without a template needs an action' }],
    })
    const ok = await macro({ name: 'Unique name', actions: [{ type: 'add_tag', tag: 'vip' }] })
    expectError(
      await call('POST', '/macros', { name: ok.name, actions: [{ type: 'add_tag', tag: 'vip' }] }),
      409,
      'macro_name_taken',
      {
        name: ok.name,
      },
    )
    expectError(
      await call('POST', '/macros', { name: 'By agent', actions: [{ type: 'add_tag', tag: 'x' }] }, 'agent'),
      403,
      'forbidden',
      {
        permission: 'templates.manage',
      },
    )
    expect((await call('GET', '/macros')).json().data.map((x: { name: string }) => x.name)).toEqual(['Unique name'])
  })

  it('previews the rendered message and the actions it would apply, changing nothing', async () => {
    const { caseId } = await caseWithOrder(env.ctx, m.id, 'mp1', 'damaged')
    const mac = await macro({
      template_id: await templateId(),
      actions: [
        { type: 'set_status', status: 'waiting_customer' },
        { type: 'add_tag', tag: 'photos-requested' },
        { type: 'assign', user_id: m.adminUserId },
      ],
    })
    const res = await call('POST', `/cases/${caseId}/macros/${mac.id}/preview`, undefined, 'agent')
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().message).toMatchObject({
      version: 1,
      subject: expect.stringMatching(/^Sorry your order arrived damaged \(CD-\d+\)$/),
      problems: [],
    })
    expect(res.json().message.text).toContain("We're sorry your order #12345 arrived damaged.")
    expect(res.json().actions).toEqual([
      { type: 'set_status', status: 'waiting_customer', change: 'status new → waiting_customer' },
      { type: 'add_tag', tag: 'photos-requested', change: 'tag photos-requested' },
      { type: 'assign', user_id: m.adminUserId, change: 'assign to Ada Admin' },
    ])
    const c = (await call('GET', `/cases/${caseId}`)).json()
    expect(c).toMatchObject({ status: 'new', tags: [], assignee_id: null })
  })

  it('applies the message and the actions in one transaction', async () => {
    const { caseId } = await caseWithOrder(env.ctx, m.id, 'ma1', 'damaged')
    const mac = await macro({
      template_id: await templateId(),
      actions: [
        { type: 'set_status', status: 'waiting_customer' },
        { type: 'add_tag', tag: 'photos-requested' },
      ],
    })
    const res = await call('POST', `/cases/${caseId}/macros/${mac.id}/apply`, undefined, 'agent')
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({
      message: { status: 'not_sent', status_reason: 'no mail server configured', template_version: 1 },
      case: { status: 'waiting_customer', tags: ['photos-requested'] },
    })
    const messages = await env.ctx.db.selectFrom('messages').selectAll().where('case_id', '=', caseId).execute()
    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatchObject({
      direction: 'out',
      automatic: false,
      to_addresses: [{ address: 'robin-ma1@example.com', name: 'Robin Fox' }],
    })
  })

  it('moves the case to a team, keeping its assignee, and says so in the preview; at most one team', async () => {
    const team = await call('POST', '/teams', { name: 'Claims desk' })
    expect(team.statusCode, team.body).toBe(201)
    const { caseId } = await caseWithOrder(env.ctx, m.id, 'mt1', 'damaged')
    await call('POST', `/cases/${caseId}/assign`, { assignee_id: m.adminUserId })
    const mac = await macro({ actions: [{ type: 'assign_team', team_id: team.json().id }] })
    const preview = await call('POST', `/cases/${caseId}/macros/${mac.id}/preview`, undefined, 'agent')
    expect(preview.json().actions).toEqual([
      { type: 'assign_team', team_id: team.json().id, change: 'team Claims desk' },
    ])
    expectError(await call('POST', `/cases/${caseId}/macros/${mac.id}/apply`, undefined, 'agent'), 403, 'forbidden', {
      permission: 'cases.assign',
    })
    const res = await call('POST', `/cases/${caseId}/macros/${mac.id}/apply`, undefined, 'manager')
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ message: null, case: { team_id: team.json().id, assignee_id: m.adminUserId } })
    expectError(
      await call('POST', '/macros', {
        name: 'Two teams',
        actions: [
          { type: 'assign_team', team_id: team.json().id },
          { type: 'assign_team', team_id: team.json().id },
        ],
      }),
      422,
      'macro_invalid',
      { errors: [{ path: 'body/actions', message: 'at most one assign_team' }] },
    )
  })

  it('rolls everything back when one action cannot apply, and needs cases.assign to assign', async () => {
    const { caseId } = await caseWithOrder(env.ctx, m.id, 'ma2', 'damaged')
    const assigning = await macro({
      template_id: await templateId(),
      actions: [{ type: 'assign', user_id: m.adminUserId }],
    })
    expectError(
      await call('POST', `/cases/${caseId}/macros/${assigning.id}/apply`, undefined, 'agent'),
      403,
      'forbidden',
      {
        permission: 'cases.assign',
      },
    )
    await call('POST', `/cases/${caseId}/status`, { status: 'resolved', resolution_code: 'replaced' })
    const waiting = await macro({
      template_id: await templateId(),
      actions: [{ type: 'set_status', status: 'waiting_carrier' }],
    })
    const res = await call('POST', `/cases/${caseId}/macros/${waiting.id}/apply`)
    expect(res.statusCode, res.body).toBe(409)
    expect(res.json().error.code).toBe('case_transition_invalid')
    expect(await env.ctx.db.selectFrom('messages').select('id').where('case_id', '=', caseId).execute()).toEqual([])
  })

  it('archives a macro: it is gone from the list and cannot be applied', async () => {
    const { caseId } = await caseWithOrder(env.ctx, m.id, 'ma3')
    const mac = await macro({ actions: [{ type: 'add_tag', tag: 'x' }] })
    expect((await call('DELETE', `/macros/${mac.id}`)).statusCode).toBe(204)
    expectError(await call('POST', `/cases/${caseId}/macros/${mac.id}/apply`), 404, 'macro_not_found', {
      macro_id: mac.id,
    })
    expectError(await call('PATCH', `/macros/${mac.id}`, { name: 'y' }), 404, 'macro_not_found', { macro_id: mac.id })
  })
})
