import { describe, expect, it } from 'vitest'
import { blankFacts } from '../model.js'
import type { Condition, Facts, Money } from '../types.js'
import { compileAst } from './compile.js'
import { type EvaluateEnv, evaluateCondition } from './evaluate.js'
import { parseRule } from './parse.js'
import { fixedResolver } from './testing.js'

const noFacts: Facts = blankFacts('case.opened')

// 1 USD = 0.8 GBP; nothing else converts.
const env: EvaluateEnv = {
  async convert(money: Money, to: string) {
    if (money.currency !== 'USD' || to !== 'GBP') throw new Error(`no ${money.currency} to ${to} rate`)
    const amount = Math.round(money.amount_minor * 0.8)
    return {
      money: { amount_minor: amount, currency: 'GBP' },
      note: `${money.amount_minor} USD = ${amount} GBP at 0.8`,
    }
  },
}

async function condition(text: string): Promise<Condition> {
  const source = `IF ${text} THEN add_tag('x')`
  const parsed = parseRule(source)
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems))
  const compiled = await compileAst(parsed.ast, source, fixedResolver)
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems))
  return compiled.compiled.condition
}
const matches = async (text: string, facts: Partial<Facts>) =>
  (await evaluateCondition(await condition(text), { ...noFacts, ...facts }, env)).matched

describe('evaluateCondition', () => {
  it('is false for any comparison with an unknown fact (so NOT of it is true), and says so', async () => {
    const r = await evaluateCondition(await condition("case_type = 'Damaged'"), noFacts, env)
    expect(r).toEqual({
      matched: false,
      seen: [
        {
          field: 'case_type',
          op: '=',
          expected: 'Damaged',
          seen: null,
          matched: false,
          note: 'not known for this event',
        },
      ],
    })
    expect(await matches("case_type != 'Damaged'", {})).toBe(false)
    expect(await matches("NOT case_type = 'Damaged'", {})).toBe(true)
    expect(await matches('evidence_count < 3', {})).toBe(false)
  })

  it('compares names by key, whatever label the rule used, and text case-insensitively', async () => {
    expect(await matches("case_type = 'lost parcel'", { case_type: 'lost_parcel' })).toBe(true)
    expect(await matches("priority IN ('High', 'urgent')", { priority: 'urgent' })).toBe(true)
    expect(await matches("status = 'Waiting on carrier'", { status: 'waiting_carrier' })).toBe(true)
    expect(await matches("customer_segment = 'VIP'", { customer_segment: 'vip' })).toBe(true)
    expect(await matches("destination_country IN ('de', 'FR')", { destination_country: 'FR' })).toBe(true)
    expect(await matches("carrier = 'DHL Express'", { carrier: 'dhl_express' })).toBe(true)
    expect(await matches("carrier != 'DHL Express'", { carrier: 'ups' })).toBe(true)
    expect(await matches("event = 'shipment.stale'", { event: 'shipment.stale' })).toBe(true)
  })

  it('reads CONTAINS as a substring for text and membership for tags', async () => {
    expect(await matches("message_text CONTAINS 'BROKEN'", { message_text: 'The mug arrived broken.' })).toBe(true)
    expect(await matches("message_text CONTAINS 'refund'", { message_text: 'The mug arrived broken.' })).toBe(false)
    expect(await matches("tags CONTAINS 'VIP'", { tags: ['vip', 'fragile'] })).toBe(true)
    expect(await matches("tags CONTAINS 'vi'", { tags: ['vip'] })).toBe(false)
    expect(await matches("tags IN ('a', 'fragile')", { tags: ['vip', 'fragile'] })).toBe(true)
  })

  it('matches a carrier-event label on every status it covers, and a sub-status label on its sub-status', async () => {
    for (const status of ['attempt_failed', 'exception', 'returned_to_sender'])
      expect(await matches("carrier_event = 'Undeliverable'", { carrier_event: status })).toBe(true)
    expect(await matches("carrier_event = 'Undeliverable'", { carrier_event: 'delivered' })).toBe(false)
    expect(await matches("carrier_event = 'Delayed - Customs'", { carrier_event: 'customs_hold' })).toBe(true)
    expect(await matches("carrier_event = 'customs_hold'", { carrier_event: 'customs_hold' })).toBe(true)
    expect(await matches("carrier_event IN ('Lost', 'Damaged')", { carrier_event: 'damaged' })).toBe(true)
    const neighbour = "carrier_event = 'Left with neighbour'"
    expect(await matches(neighbour, { carrier_event: 'delivered', carrier_sub_status: 'left_with_neighbour' })).toBe(
      true,
    )
    expect(await matches(neighbour, { carrier_event: 'delivered', carrier_sub_status: null })).toBe(false)
  })

  it('compares money in the literal currency, converting the fact and noting the rate; no rate is false', async () => {
    const gbp = (amount: number, currency = 'GBP') => ({ value: { amount_minor: amount, currency } })
    expect(await matches('value > 100 GBP', gbp(10001))).toBe(true)
    expect(await matches('value > 100 GBP', gbp(10000))).toBe(false)
    const r = await evaluateCondition(await condition('value > 100 GBP'), { ...noFacts, ...gbp(15000, 'USD') }, env)
    expect(r.matched).toBe(true)
    expect(r.seen[0]).toMatchObject({
      seen: { amount_minor: 15000, currency: 'USD' },
      note: '15000 USD = 12000 GBP at 0.8',
    })
    const none = await evaluateCondition(await condition('value > 1 GBP'), { ...noFacts, ...gbp(500, 'EUR') }, env)
    expect(none).toMatchObject({
      matched: false,
      seen: [{ matched: false, note: expect.stringMatching(/^no rate from EUR to GBP/) }],
    })
  })

  it('compares percents, durations and numbers', async () => {
    expect(await matches('SLA_elapsed >= 75%', { sla_elapsed: 75 })).toBe(true)
    expect(await matches('SLA_elapsed >= 75%', { sla_elapsed: 74.9 })).toBe(false)
    expect(await matches('time_since_carrier_update >= 24h', { time_since_carrier_update: 1440 })).toBe(true)
    expect(await matches('sla_remaining < 30m', { sla_remaining: -5 })).toBe(true)
    expect(await matches('evidence_count = 0', { evidence_count: 0 })).toBe(true)
  })

  it('stops AND and OR at the deciding item and reports what it compared', async () => {
    const facts = { ...noFacts, case_type: 'damaged', priority: 'low' }
    const and = await evaluateCondition(await condition("priority = 'high' AND case_type = 'Damaged'"), facts, env)
    expect(and.matched).toBe(false)
    expect(and.seen.map((s) => s.field)).toEqual(['priority'])
    const or = await evaluateCondition(await condition("case_type = 'Damaged' OR priority = 'high'"), facts, env)
    expect(or.matched).toBe(true)
    expect(or.seen.map((s) => [s.field, s.seen, s.matched])).toEqual([['case_type', 'damaged', true]])
    const nested = await condition("(priority = 'high' OR case_type = 'Damaged') AND NOT tags CONTAINS 'x'")
    expect((await evaluateCondition(nested, facts, env)).seen.map((s) => [s.field, s.matched])).toEqual([
      ['priority', false],
      ['case_type', true],
      ['tags', false],
    ])
  })
})
