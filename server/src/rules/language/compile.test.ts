import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { actions } from './actions.js'
import { fieldNames } from './fields.js'
import type { CompiledRule, RuleProblem } from '../types.js'
import { compileAst } from './compile.js'
import { parseRule } from './parse.js'
import { defaultPackRules, fixedResolver, issueRules } from './testing.js'

async function compile(source: string) {
  const parsed = parseRule(source)
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems))
  return compileAst(parsed.ast, source, fixedResolver)
}
async function compiled(source: string): Promise<CompiledRule> {
  const r = await compile(source)
  if (!r.ok) throw new Error(JSON.stringify(r.problems))
  return r.compiled
}
async function problems(source: string): Promise<RuleProblem[]> {
  const r = await compile(source)
  if (r.ok) throw new Error(`compiled: ${source}`)
  return r.problems
}
/** The 1-based column where a fragment starts in a one-line source */
const at = (source: string, fragment: string) => source.indexOf(fragment) + 1
const args = (c: CompiledRule) => c.actions.map((a) => [a.name, a.args])

describe('compileAst', () => {
  it("compiles the issue's three rules to ids and keys, with their triggers and thresholds", async () => {
    const [lost, damaged, sla] = await Promise.all(issueRules.map(compiled))
    expect(args(lost!)).toEqual([
      ['create_case', { case_type: 'lost_parcel', priority: 'high' }],
      ['set_sla', { minutes: 1440, target: 'resolution', business: false }],
      ['notify', { to: { kind: 'team', team_id: 'team-hv' } }],
    ])
    expect(lost).toMatchObject({
      format: 1,
      triggers: ['carrier_status'],
      fields: ['carrier_event', 'value'],
      thresholds: [],
    })
    expect(lost!.condition).toMatchObject({
      items: [
        { field: 'carrier_event', resolved: { statuses: ['attempt_failed', 'exception', 'returned_to_sender'] } },
        { field: 'value', resolved: { amount_minor: 10000, currency: 'GBP' } },
      ],
    })
    expect(lost!.actions[2]!.text).toBe("notify(agent_group='HighValue')")
    expect(args(damaged!)).toEqual([
      ['send_template', { template_id: 'tpl-damage_ack', purpose: 'damage_ack', channels: null }],
      ['request_attachment', { types: [], any_photo: true, deadline_minutes: 2880 }],
    ])
    expect(damaged!.triggers).toEqual(['case_opened', 'case_changed'])
    expect(damaged!.condition).toMatchObject({ field: 'case_type', resolved: 'damaged' })
    expect(args(sla!)).toEqual([
      ['notify', { to: { kind: 'team_lead' } }],
      ['add_tag', { tag: 'escalating' }],
    ])
    expect(sla).toMatchObject({
      triggers: ['sla_threshold'],
      fields: ['sla_elapsed'],
      thresholds: [{ kind: 'sla', target: 'resolution', percent: 75 }],
    })
  })

  it('compiles the default pack', async () => {
    const pack = await Promise.all(defaultPackRules.map(compiled))
    expect(pack.map((c) => c.triggers)).toEqual([
      ['case_opened'],
      ['case_opened', 'case_changed'],
      ['case_opened'],
      ['connection_unhealthy'],
      ['carrier_status'],
      ['case_opened', 'case_changed', 'carrier_silence'],
    ])
    expect(pack[1]!.condition).toMatchObject({
      items: [{}, { kind: 'or', items: [{ resolved: 'customs_hold' }, { resolved: ['dhl_express', 'fedex', 'ups'] }] }],
    })
    expect(args(pack[1]!)).toEqual([['assign', { team_id: 'team-ops', strategy: 'least_loaded' }]])
    expect(args(pack[4]!)).toEqual([
      ['create_case', { case_type: 'customs_hold', priority: 'high' }],
      ['set_sla', { minutes: 2880, target: 'resolution', business: false }],
      ['send_template', { template_id: 'tpl-customs_hold', purpose: 'customs_hold', channels: ['sms', 'email'] }],
    ])
    expect(pack[5]!.thresholds).toEqual([{ kind: 'carrier_silence', minutes: 1440 }])
    expect(args(pack[5]!)).toEqual([
      ['escalate', { team_id: 'team-ops' }],
      ['check_evidence', { for: 'carrier_claim', generate: true, request: true, deadline_minutes: 2880 }],
    ])
  })

  it('matches fields and actions case-insensitively, with aliases, and `-` and `_` alike in action names', async () => {
    const c = await compiled(
      "IF Segment = 'vip' AND SLA_Remaining <= 4h AND Event = 'shipment.stale' THEN Set-SLA(2d, target=first_response, business=true) AND AUTO_NOTIFY(assignee)",
    )
    expect(c.fields).toEqual(['customer_segment', 'sla_remaining', 'event'])
    expect(c.triggers).toEqual(['shipment_stale'])
    expect(c.thresholds).toEqual([{ kind: 'sla', target: 'resolution', offsetMinutes: -240 }])
    expect(args(c)).toEqual([
      ['set_sla', { minutes: 2880, target: 'first_response', business: true }],
      ['notify', { to: { kind: 'assignee' } }],
    ])
  })

  it('resolves every action form', async () => {
    const c = await compiled(
      `IF message_text CONTAINS 'broken' THEN assign(user='ana@example.com') AND assign(round_robin) AND assign('HighValue')
       AND notify(user='ANA@example.com', message='look') AND notify(followers) AND remove_tag(urgent)
       AND notify('logistics ops') AND notify('ana@example.com')
       AND request_attachment('Invoice', 'damage photo', 'photos', message='please') WITH 30m deadline
       AND escalate() AND escalate(team='logistics ops', reason='stuck') AND set_status('Waiting on carrier')
       AND set_root_cause('carrier', fault_party='DHL') AND link_order() AND link_order('#1042')
       AND check_evidence('carrier claim', generate=false) WITH 1d deadline AND set_priority('URGENT')
       AND update_case(subject='Broken', team=none, root_cause='Pick pack error') AND create_case('damaged')`,
    )
    expect(c.triggers).toEqual(['message_received'])
    expect(args(c)).toEqual([
      ['assign', { user_id: 'user-ana' }],
      ['assign', { strategy: 'round_robin' }],
      ['assign', { team_id: 'team-hv', strategy: 'team_only' }],
      ['notify', { to: { kind: 'user', user_id: 'user-ana' }, message: 'look' }],
      ['notify', { to: { kind: 'followers' } }],
      ['remove_tag', { tag: 'urgent' }],
      ['notify', { to: { kind: 'team', team_id: 'team-ops' } }],
      ['notify', { to: { kind: 'user', user_id: 'user-ana' } }],
      [
        'request_attachment',
        { types: ['invoice', 'damage_photo'], any_photo: true, deadline_minutes: 30, message: 'please' },
      ],
      ['escalate', {}],
      ['escalate', { team_id: 'team-ops', reason: 'stuck' }],
      ['set_status', { status: 'waiting_carrier' }],
      ['set_root_cause', { root_cause: 'carrier', fault_party: 'DHL' }],
      ['link_order', {}],
      ['link_order', { number: '#1042' }],
      ['check_evidence', { for: 'carrier_claim', generate: false, request: true, deadline_minutes: 1440 }],
      ['set_priority', { priority: 'urgent' }],
      ['update_case', { subject: 'Broken', team_id: null, root_cause: 'pick_pack_error' }],
      ['create_case', { case_type: 'damaged' }],
    ])
  })

  it('infers case_opened when no field brings a trigger, and money in the currency exponent', async () => {
    const c = await compiled("IF sku = 'A-1' AND order_value >= 1500 JPY AND value < 0.5 GBP THEN add_tag('x')")
    expect(c.triggers).toEqual(['case_opened'])
    expect(c.condition).toMatchObject({
      items: [
        {},
        { value: { amountMinor: 1500 }, resolved: { amount_minor: 1500, currency: 'JPY' } },
        { value: { amountMinor: 50 }, resolved: { amount_minor: 50, currency: 'GBP' } },
      ],
    })
    expect(await problems("IF value > 10.5 JPY THEN add_tag('x')")).toMatchObject([
      { line: 1, column: 12, message: 'JPY has 0 decimal places' },
    ])
    expect(await problems("IF value > 123456789012345678 GBP THEN add_tag('x')")).toMatchObject([
      { column: 12, message: 'This amount is too large' },
    ])
  })

  it('refuses unknown fields with a suggestion, and operators and literals the field does not take', async () => {
    expect(await problems("IF cse_type = 'Damaged' THEN add_tag('x')")).toEqual([
      {
        line: 1,
        column: 4,
        end_line: 1,
        end_column: 12,
        message: "Unknown field 'cse_type' (did you mean case_type?)",
      },
    ])
    expect(await problems("IF case_type > 'Damaged' THEN add_tag('x')")).toMatchObject([
      { column: 4, message: 'case_type cannot be compared with > (use =, !=, IN)' },
    ])
    const source =
      "IF value > 100 AND sla_elapsed >= 24h AND sla_remaining < 50% AND case_type IN 'Damaged' AND status = ('open') THEN add_tag('x')"
    expect((await problems(source)).map((p) => [p.column, p.message])).toEqual([
      [at(source, '100'), 'value compares with an amount with its currency, such as 100 GBP, not a number'],
      [at(source, '24h'), 'sla_elapsed compares with a percentage, such as 75%, not a duration'],
      [at(source, '50%'), 'sla_remaining compares with a duration, such as 30m, 24h or 2d, not a percentage'],
      [at(source, "'Damaged'"), "IN takes a list in parentheses, such as ('a', 'b'), not a quoted text"],
      [at(source, "('open')"), 'A list goes with IN, not ='],
    ])
  })

  it('refuses an SLA threshold of 0%, which is never crossed', async () => {
    expect(await problems("IF sla_elapsed > 0% THEN add_tag('x')")).toMatchObject([
      { column: 18, message: 'sla_elapsed compares with a percentage above 0%' },
    ])
  })

  it('refuses unknown names with the span of the literal', async () => {
    const source = `IF case_type = 'Parcel Eaten' AND carrier_event = 'Teleported'
THEN send_template('Nope') TO customer AND notify(team='Ghosts') AND request_attachment('x-ray')
AND create_case(type='Lost Parcel', priority='Whenever') AND set_status('Sleeping') AND value_check()`
    expect((await problems(source)).map((p) => [p.line, p.column, p.end_column, p.message.split(' (')[0]])).toEqual([
      [1, 16, 30, "Unknown case type 'Parcel Eaten'"],
      [1, 51, 63, "Unknown carrier event 'Teleported'"],
      [2, 20, 26, "Unknown template 'Nope'"],
      [2, 56, 64, "Unknown team 'Ghosts'"],
      [2, 89, 96, "Unknown evidence type 'x-ray'"],
      [3, 46, 56, "Unknown priority 'Whenever'"],
      [3, 73, 83, "Unknown status 'Sleeping'"],
      [3, 89, 100, "Unknown action 'value_check'"],
    ])
    expect(await problems("IF value > 5 XYZ THEN add_tag('x')")).toMatchObject([
      { message: "Unknown currency 'XYZ' (not one of the workspace's currencies)" },
    ])
    expect(await problems("IF event = 'case.deleted' THEN add_tag('x')")).toMatchObject([
      { column: 12, message: expect.stringMatching(/^Rules cannot react to 'case.deleted'/) },
    ])
  })

  it("refuses missing, extra, unknown and repeated arguments at the argument's place", async () => {
    const source =
      "IF a_field = 1 THEN create_case(priority='High') AND add_tag('a', 'b') AND set_sla(24h, colour='red') AND add_tag(tag='a', tag='b') AND notify() AND add_tag('x') TO customer AND set_sla(1h) WITH 2h deadline AND set_sla('soon')"
    const found = (await problems(source)).map((p) => [p.column, p.message])
    expect(found).toEqual([
      [4, "Unknown field 'a_field'"],
      [at(source, 'create_case'), 'create_case needs type'],
      [at(source, "'b')"), 'add_tag takes at most 1 argument'],
      [at(source, 'colour='), "set_sla has no argument 'colour' (it takes duration, target, business)"],
      [at(source, "tag='b'"), 'tag is given twice'],
      [at(source, 'notify()'), 'notify needs exactly one of: team_lead, assignee, followers, team=…, user=…'],
      [at(source, 'TO customer'), 'add_tag takes no TO …: only send_template does'],
      [at(source, 'WITH 2h'), 'set_sla takes no WITH … deadline: request_attachment and check_evidence do'],
      [at(source, "'soon'"), 'Expected a duration such as 30m, 24h or 2d for the SLA but found a quoted text'],
    ])
  })

  it('refuses channels and targets that do not exist, and contradictory assignments', async () => {
    const found = await problems(
      "IF tags CONTAINS 'x' THEN send_template('Damage Ack') TO carrier VIA pigeon AND assign(user='ana@example.com', team='HighValue') AND assign(strategy=fastest)",
    )
    expect(found.map((p) => p.message)).toEqual([
      "Templates go TO customer, not 'carrier'",
      "Unknown channel 'pigeon' (one of email, sms, whatsapp)",
      'assign takes a user, or a team and a strategy, not both',
      "Unknown strategy 'fastest' (one of round_robin, least_loaded)",
    ])
    expect(await problems("IF tags CONTAINS 'x' THEN notify('Nobody')")).toMatchObject([
      { column: 34, message: "Unknown recipient 'Nobody' (team_lead, assignee, followers, a team or a person)" },
    ])
  })

  it('never throws on any combination of real fields, actions and literals (property)', async () => {
    const literal = fc.oneof(
      fc.constantFrom("'Damaged'", "'HighValue'", "'photo'", 'team_lead', 'true', "''", "'x'"),
      fc.constantFrom('0', '-1', '1.5', '100 GBP', '0.001 JPY', '5 XYZ', '0m', '24h', '0%', '75%', "('a', 1)"),
    )
    const op = fc.constantFrom('=', '!=', '>', '>=', '<', '<=', 'IN', 'CONTAINS')
    const compare = fc.tuple(fc.constantFrom(...fieldNames()), op, literal).map(([f, o, v]) => `${f} ${o} ${v}`)
    const arg = fc.tuple(fc.option(fc.constantFrom('team', 'type', 'user', 'strategy', 'to', 'tag', 'x')), literal)
    const action = fc
      .tuple(
        fc.constantFrom(...actions.map((a) => a.name), 'auto-notify', 'nope'),
        fc.array(arg, { maxLength: 3 }),
        fc.constantFrom('', ' TO customer', ' TO customer VIA sms, fax', ' WITH 0m deadline', ' WITH 2d deadline'),
      )
      .map(([n, as, tail]) => `${n}(${as.map(([k, v]) => (k ? `${k}=${v}` : v)).join(', ')})${tail}`)
    await fc.assert(
      fc.asyncProperty(
        fc.array(compare, { minLength: 1, maxLength: 3 }),
        fc.array(action, { minLength: 1, maxLength: 3 }),
        async (cs, as) => {
          const source = `IF ${cs.join(' AND ')} THEN ${as.join(' AND ')}`
          const parsed = parseRule(source)
          if (!parsed.ok) return
          const r = await compileAst(parsed.ast, source, fixedResolver)
          if (!r.ok) for (const p of r.problems) expect(p.line).toBe(1)
          else expect(r.compiled.triggers.length).toBeGreaterThan(0)
        },
      ),
      { seed: 2527, numRuns: 2000 },
    )
  })
})
