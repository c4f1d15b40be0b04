import { describe, expect, it } from 'vitest'
import { createTestMerchant, startServiceTest } from '../../../test/harness.js'
import { systemContext } from '../../auth/actor.js'
import { createCaseType } from '../../cases/service.js'
import { AppError } from '../../errors.js'
import { listTemplates } from '../../messaging/templates/service.js'
import { createTeam, listTeams, updateTeam } from '../../teams/service.js'
import { defaultPackRules, issueRules } from '../language/testing.js'
import type { CompiledRule } from '../types.js'
import { checkRule, compileRule } from './compile.js'

const { env, m, ctx, tx } = await startServiceTest()
const db = env.ctx.db
const now = new Date()

const teamId = async (name: string, merchantId = m.id) =>
  (await listTeams(db, merchantId, { limit: 100 })).find((t) => t.name === name)!.id
const templateIds = async (purpose: string) =>
  (await tx((trx) => listTemplates(trx, m.id, { purpose }, now))).map((t) => t.id)
const args = (c: CompiledRule) => c.actions.map((a) => [a.name, a.args])
const problemsOf = async (source: string, merchantId = m.id) => {
  const r = await checkRule(db, merchantId, source)
  if (r.ok) throw new Error(`compiled: ${source}`)
  return r.problems
}

describe('compiling rules against a workspace', () => {
  it("compiles the issue's three rules to the workspace's ids and keys", async () => {
    const [lost, damaged, sla] = await Promise.all(issueRules.map((s) => compileRule(db, m.id, s)))
    expect(args(lost!)).toEqual([
      ['create_case', { case_type: 'lost_parcel', priority: 'high' }],
      ['set_sla', { minutes: 1440, target: 'resolution', business: false }],
      ['notify', { to: { kind: 'team', team_id: await teamId('HighValue') } }],
    ])
    const [send, request] = damaged!.actions
    expect(send).toMatchObject({ name: 'send_template', args: { purpose: 'damage_ack', channels: null } })
    expect(await templateIds('damage_ack')).toContain((send!.args as { template_id: string }).template_id)
    expect(request).toMatchObject({ args: { types: [], any_photo: true, deadline_minutes: 2880 } })
    expect(args(sla!)).toEqual([
      ['notify', { to: { kind: 'team_lead' } }],
      ['add_tag', { tag: 'escalating' }],
    ])
    expect(sla!.thresholds).toEqual([{ kind: 'sla', target: 'resolution', percent: 75 }])
  })

  it('compiles the six rules of the default pack', async () => {
    const pack = await Promise.all(defaultPackRules.map((s) => compileRule(db, m.id, s)))
    const ops = await teamId('Logistics Ops')
    expect(args(pack[1]!)).toEqual([['assign', { team_id: ops, strategy: 'least_loaded' }]])
    expect(args(pack[2]!)).toEqual([['assign', { team_id: await teamId('HighValue'), strategy: 'round_robin' }]])
    expect(args(pack[3]!)).toEqual([['notify', { to: { kind: 'team', team_id: ops } }]])
    expect(pack[4]!.actions[2]).toMatchObject({ args: { purpose: 'customs_hold', channels: ['sms', 'email'] } })
    expect(pack[0]!.actions[0]).toMatchObject({ args: { purpose: 'acknowledgement', channels: null } })
    expect(args(pack[5]!)).toEqual([
      ['escalate', { team_id: ops }],
      ['check_evidence', { for: 'carrier_claim', generate: true, request: true, deadline_minutes: 2880 }],
    ])
  })

  it('resolves people by email or name, evidence types and case types by label, and currencies the table knows', async () => {
    await tx((trx) => createCaseType(trx, ctx, { key: 'fragile_art', label: 'Fragile Art' }, now))
    const c = await compileRule(
      db,
      m.id,
      `IF case_type = 'fragile art' AND order_value > 50 EUR THEN assign(user='${m.adminEmail.toUpperCase()}')
       AND notify(user='Ada Admin') AND request_attachment('Commercial Invoice', customs_declaration) WITH 2d deadline`,
    )
    expect(args(c)).toEqual([
      ['assign', { user_id: m.adminUserId }],
      ['notify', { to: { kind: 'user', user_id: m.adminUserId } }],
      [
        'request_attachment',
        { types: ['commercial_invoice', 'customs_declaration'], any_photo: false, deadline_minutes: 2880 },
      ],
    ])
    expect(c.condition).toMatchObject({
      items: [{ resolved: 'fragile_art' }, { resolved: { amount_minor: 5000, currency: 'EUR' } }],
    })
  })

  it('refuses unknown teams, templates, types and people with line and column, as 422 rule_invalid', async () => {
    const source =
      "IF case_type = 'Haunted'\nTHEN notify(team='Night Shift') AND send_template('Poem') TO customer AND assign(user='nobody@x.example')"
    expect((await problemsOf(source)).map((p) => [p.line, p.column, p.message])).toEqual([
      [1, 16, "Unknown case type 'Haunted'"],
      [2, 18, "Unknown team 'Night Shift'"],
      [2, 51, "Unknown template 'Poem'"],
      [2, 87, "Unknown user 'nobody@x.example'"],
    ])
    const err = await compileRule(db, m.id, source).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(AppError)
    expect(err).toMatchObject({
      code: 'rule_invalid',
      status: 422,
      message: "Line 1, column 16: Unknown case type 'Haunted'",
      details: { problems: expect.arrayContaining([expect.objectContaining({ line: 2, column: 18 })]) },
    })
    expect(await problemsOf("IF value > 100 JPY THEN add_tag('x')")).toMatchObject([
      { column: 12, message: "Unknown currency 'JPY' (not one of the workspace's currencies)" },
    ])
    expect(await compileRule(db, m.id, 'IF x = THEN').catch((e: AppError) => e.details)).toMatchObject({
      problems: [{ line: 1, column: 8, expected: ['"("', 'value'] }],
    })
  })

  it("keeps a renamed team's id in compiled rules; the old name no longer resolves, the new one does", async () => {
    const created = await tx((trx) => createTeam(trx, ctx, { name: 'Returns Desk' }, now))
    const compiled = await compileRule(db, m.id, "IF priority = 'urgent' THEN escalate(team='returns desk')")
    await tx((trx) => updateTeam(trx, ctx, created.id, { name: 'Reverse Logistics' }, now))
    expect(args(compiled)).toEqual([['escalate', { team_id: created.id }]])
    expect(await problemsOf("IF priority = 'urgent' THEN escalate(team='returns desk')")).toMatchObject([
      { message: "Unknown team 'returns desk'" },
    ])
    const again = await compileRule(db, m.id, "IF priority = 'urgent' THEN escalate(team='Reverse-Logistics')")
    expect(args(again)).toEqual([['escalate', { team_id: created.id }]])
  })

  it("never resolves another workspace's names", async () => {
    const other = await createTestMerchant(env.ctx)
    await tx((trx) => createTeam(trx, systemContext(other.id), { name: 'Theirs Only' }, now))
    expect(await problemsOf("IF status = 'open' THEN notify(team='Theirs Only')")).toMatchObject([
      { message: "Unknown team 'Theirs Only'" },
    ])
    expect(await problemsOf(`IF status = 'open' THEN assign(user='${other.adminEmail}')`)).toMatchObject([
      { message: `Unknown user '${other.adminEmail}'` },
    ])
    const theirs = await compileRule(db, other.id, "IF status = 'open' THEN notify(team='HighValue')")
    expect(args(theirs)).toEqual([['notify', { to: { kind: 'team', team_id: await teamId('HighValue', other.id) } }]])
    expect(await teamId('HighValue', other.id)).not.toBe(await teamId('HighValue'))
  })
})
