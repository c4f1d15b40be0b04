import { describe, expect, it } from 'vitest'
import { mentionAt, mentionMarkup, splitMentions } from './mentions'
import { describeEntry, type Entry } from './timeline-text'

const marcus = '0190a000-0000-7000-8000-000000000001'
const ana = '0190a000-0000-7000-8000-000000000002'
const returns = '0190a000-0000-7000-8000-000000000003'
const names = { [marcus]: 'Marcus Obi', [ana]: 'Ana Ruiz', [returns]: 'Returns team' }
const entry =
  (actor: Entry['actor']) =>
  (type: string, data: Record<string, unknown>, text = ''): Entry => ({ type, actor, data, text, names })
const by = entry({ type: 'user', id: marcus })
const system = entry({ type: 'system', id: null })
const say = (e: Entry) => describeEntry(e).sentence

describe("timeline entries in the agent's words", () => {
  it('says who opened the case and how', () => {
    expect(say(by('case.opened', { case_type: 'damaged', source: 'manual', channel: 'web' }, 'Mug'))).toBe(
      'Marcus Obi opened the case',
    )
    expect(
      say(system('case.opened', { case_type: 'lost_parcel', source: 'exception_policy', channel: 'carrier' })),
    ).toBe('Claimdesk opened the case from a carrier exception')
    expect(describeEntry(by('case.opened', { source: 'manual' }, 'Mug\nArrived in pieces')).detail).toBe(
      'Arrived in pieces',
    )
    expect(say(system('imported', { source: 'zendesk', external_id: 'z-1' }, 'Old case'))).toBe(
      'Claimdesk imported the case from zendesk',
    )
  })

  it("says a customer's STOP and START, and which channel a message came by", () => {
    const stop = system('consent', { channel: 'sms', keyword: 'stop', body: 'STOP' }, 'opted out of SMS')
    expect(describeEntry(stop)).toEqual({ sentence: 'The customer opted out of SMS', detail: 'STOP' })
    expect(say(system('message', { direction: 'in', channel: 'whatsapp', visibility: 'public' }))).toBe(
      'The customer wrote on WhatsApp',
    )
  })

  it('names statuses and resolutions in words, once', () => {
    const waiting = by('status_changed', { from: 'open', to: 'waiting_carrier' }, 'Status waiting_carrier')
    expect(say(waiting)).toBe('Marcus Obi changed the status to Waiting on carrier')
    const resolved = by(
      'status_changed',
      {
        from: 'open',
        to: 'resolved',
        resolution_code: 'refunded',
        root_cause: 'carrier',
        resolution_note: 'Refunded in full',
        reason: null,
      },
      'Resolved: refunded Refunded in full',
    )
    expect(describeEntry(resolved)).toEqual({
      sentence: 'Marcus Obi resolved the case: Refunded — root cause: carrier',
      detail: 'Refunded in full',
    })
    expect(say(system('status_changed', { from: 'waiting_carrier', to: 'open', reason: 'delivered' }))).toBe(
      'Claimdesk changed the status to Open: the parcel was delivered',
    )
    expect(say(by('status_changed', { from: 'resolved', to: 'closed' }))).toBe('Marcus Obi closed the case')
    expect(say(by('status_changed', { from: 'waiting_customer', to: 'open', reason: 'reply' }))).toBe(
      'Marcus Obi changed the status to Open: the customer replied',
    )
    expect(
      say(by('reopened', { from: 'resolved', previous_resolution: 'refunded', reason: 'Customer wrote back' })),
    ).toBe('Marcus Obi reopened the case: Customer wrote back')
  })

  it('says what a field change changed', () => {
    expect(say(by('priority_changed', { from: 'normal', to: 'high' }))).toBe(
      'Marcus Obi changed the priority from Normal to High',
    )
    const changes = { tags: { added: ['vip'], removed: [] }, subject: { from: 'Mug', to: 'Mug in pieces' } }
    expect(say(by('fields_changed', { fields: ['tags', 'subject'], changes }))).toBe(
      'Marcus Obi added the tag vip; changed the subject to “Mug in pieces”',
    )
    expect(
      say(
        by('fields_changed', {
          fields: ['custom_fields', 'team_id', 'refund_authorised_by', 'value'],
          changes: {
            custom_fields: { from: { damage_severity: null }, to: { damage_severity: 'unusable' } },
            team_id: { from: null, to: returns },
            refund_authorised_by: { from: null, to: ana },
            value: { from: null, to: { amount_minor: 18_000, currency: 'GBP' } },
          },
        }),
      ),
    ).toMatch(
      new RegExp(
        '^Marcus Obi set damage severity to unusable; moved the case to Returns team; ' +
          "recorded Ana Ruiz as the refund's approver; set the value at stake to .*180\\.00$",
      ),
    )
    const ticked = {
      tags: { added: [], removed: ['fragile', 'vip'] },
      checklist: { done: ['Photo of damage'], undone: [] },
    }
    expect(say(by('fields_changed', { fields: ['tags', 'checklist'], changes: ticked }))).toBe(
      'Marcus Obi removed the tags fragile, vip; ticked “Photo of damage”',
    )
    const self = { refund_authorised_by: { from: null, to: marcus } }
    expect(say(by('fields_changed', { fields: ['refund_authorised_by'], changes: self }))).toBe(
      "Marcus Obi recorded themselves as the refund's approver",
    )
    // Entries written before changes were recorded name the fields.
    expect(say(by('fields_changed', { fields: ['root_cause', 'product_sku'] }))).toBe(
      'Marcus Obi changed the root cause and product SKU',
    )
  })

  it('says to whom a case was assigned, by whom, and how', () => {
    expect(say(by('assigned', { from: null, to: ana, team_id: returns, how: 'manual' }))).toBe(
      'Marcus Obi assigned the case to Ana Ruiz (Returns team)',
    )
    expect(say(by('assigned', { from: null, to: marcus, team_id: null, how: 'manual' }))).toBe(
      'Marcus Obi took the case',
    )
    expect(say(by('assigned', { from: ana, to: null, team_id: null, how: 'manual' }))).toBe(
      'Marcus Obi unassigned Ana Ruiz',
    )
    expect(say(system('assigned', { from: null, to: ana, team_id: returns, how: 'routing:DHL claims' }))).toBe(
      'Claimdesk assigned the case to Ana Ruiz (Returns team) by the routing rule “DHL claims”',
    )
    expect(say(by('assigned', { from: null, to: ana, team_id: null, how: 'bulk' }))).toBe(
      'Marcus Obi assigned the case to Ana Ruiz in a bulk action',
    )
    expect(say(system('assigned', { from: null, to: ana, team_id: null, how: 'round_robin' }))).toBe(
      'Claimdesk assigned the case to Ana Ruiz by round robin',
    )
    // Someone since removed from the workspace.
    expect(say(by('assigned', { from: null, to: '0190a000-0000-7000-8000-00000000dead' }))).toBe(
      'Marcus Obi assigned the case to someone no longer here',
    )
  })

  it('words notes, carrier scans, links, merges, splits, escalations, follow-ups, reviews and incidents', () => {
    expect(say(by('note', { body: `${mentionMarkup('Ana Ruiz', ana)} can you look?`, mentions: [ana] }))).toBe(
      'Marcus Obi wrote an internal note',
    )
    const scan = {
      status: 'lost',
      sub_status: null,
      message: 'Item lost in network',
      carrier: 'royal_mail',
      carrier_name: 'Royal Mail',
    }
    expect(say(system('carrier_event', scan))).toBe('Royal Mail: the parcel was lost — Item lost in network')
    expect(say(system('carrier_event', { status: 'attempt_failed', carrier: 'dpd', message: null }))).toBe(
      'dpd: a delivery attempt failed',
    )
    const dpd = {
      ...system('carrier_event', { status: 'attempt_failed', carrier: 'dpd', message: null }),
      names: { dpd: 'DPD' },
    }
    expect(say(dpd)).toBe('DPD: a delivery attempt failed')
    expect(say(by('link_added', { entity_type: 'shipment', entity_id: ana }))).toBe('Marcus Obi linked a shipment')
    expect(say(by('link_removed', { entity_type: 'order', entity_id: ana }))).toBe('Marcus Obi unlinked an order')
    expect(say(by('merged', { case_ids: [ana], numbers: ['CD-12', 'CD-13'] }))).toBe(
      'Marcus Obi merged CD-12, CD-13 into this case',
    )
    expect(say(by('merged_into', { survivor_id: ana, number: 'CD-9' }))).toBe('Marcus Obi merged this case into CD-9')
    expect(
      say(by('split', { split_id: ana, number: 'CD-15', entries: 2, links: 1 }, 'Split CD-15 off: Second parcel')),
    ).toBe('Marcus Obi split CD-15 off this case')
    expect(say(system('escalated', { level: 2, reason: 'SLA breached' }))).toBe(
      'Claimdesk escalated the case to level 2: SLA breached',
    )
    expect(say(by('follow_up', { follow_up_id: ana, number: 'CD-20', reason: null }))).toBe(
      'Marcus Obi opened the follow-up case CD-20',
    )
    expect(say(by('review_opened', { review_id: ana, reasons: ['low_confidence'], status: 'lost' }))).toBe(
      'Marcus Obi opened the case from the review list (carrier said: lost)',
    )
    expect(say(by('incident_attached', { parent_id: ana, number: 'CD-3' }))).toBe(
      'Marcus Obi added the case to incident CD-3',
    )
    expect(say(by('incident_attached', { case_ids: [ana], numbers: ['CD-4', 'CD-5'] }))).toBe(
      'Marcus Obi grouped CD-4, CD-5 in this incident',
    )
    expect(say(by('incident_detached', { parent_id: ana }))).toBe('Marcus Obi removed the case from its incident')
    const other = entry({ type: 'api_key', id: ana })('sla.breached', {}, 'First response overdue')
    expect(describeEntry(other)).toEqual({ sentence: 'An API key: Sla breached', detail: 'First response overdue' })
  })
})

describe("the SLA module's entries", () => {
  it('says what the SLA did: applied, met, breached, a step with its results, a remedy, an explicit target', () => {
    expect(say(system('sla_applied', { policy_id: ana, policy_version: 2, tier: 'high' }))).toBe(
      'Claimdesk applied the high tier SLA (version 2)',
    )
    expect(say(system('sla_met', { target: 'first_response', episode: 1, late: true }))).toBe(
      'Claimdesk recorded the first response target as met late',
    )
    expect(say(system('sla_breached', { target: 'resolution', episode: 1, due_at: '2026-12-07T12:00:00Z' }))).toBe(
      'Claimdesk recorded the resolution target as breached',
    )
    const step = system('sla_step', {
      target: 'first_response',
      episode: 1,
      step: 0,
      at: '75%',
      actions: [
        { type: 'notify', result: 'notified Priya Nair' },
        { type: 'add_tag', result: 'tagged at_risk' },
      ],
    })
    expect(describeEntry(step)).toEqual({
      sentence: 'Claimdesk ran the SLA escalation step at 75% of the first response target',
      detail: 'notified Priya Nair; tagged at_risk',
    })
    expect(say(system('sla_remedy', { remedy: 'refund_authorisation', params: {}, target: 'resolution' }))).toBe(
      'Claimdesk requested a refund authorisation as the remedy for the resolution target',
    )
    expect(say(by('sla_target_set', { target: 'evidence_in', minutes: 1440, calendar_id: ana }))).toBe(
      'Marcus Obi set the “evidence in” target to 1 day in business hours',
    )
    expect(say(system('sla_paused', { targets: ['resolution'], status: 'waiting_customer' }))).toBe(
      'Claimdesk paused the SLA clocks while the case is waiting on customer',
    )
  })
})

describe('mentions', () => {
  it('writes what the server parses and reads it back as names', () => {
    expect(mentionMarkup('Bob Baker', ana)).toBe(`@[Bob Baker](${ana})`)
    expect(splitMentions(`Hi ${mentionMarkup('Bob Baker', ana)}, see [this](x)`)).toEqual([
      'Hi ',
      { id: ana, name: 'Bob Baker' },
      ', see [this](x)',
    ])
  })

  it('finds the @word being typed at the caret, and nothing inside an email address', () => {
    expect(mentionAt('Ask @Bo', 7)).toEqual({ start: 4, query: 'Bo' })
    expect(mentionAt('@', 1)).toEqual({ start: 0, query: '' })
    expect(mentionAt('Ask @Bob Baker', 14)).toEqual({ start: 4, query: 'Bob Baker' })
    expect(mentionAt('mail bob@example.com', 20)).toBeNull()
    expect(mentionAt('Ask @Bo and then more words here', 32)).toBeNull()
  })
})

describe("a survey's answer on the timeline", () => {
  it("says the score, whether it is low, and gives the customer's comment as the detail", () => {
    const answered = system('csat_answered', { kind: 'csat', score: 2, max: 5, low: true, comment: 'Too slow' })
    expect(describeEntry(answered)).toEqual({
      sentence: 'The customer answered the satisfaction survey: 2 out of 5, a low score',
      detail: 'Too slow',
    })
    expect(
      describeEntry(system('csat_answered', { kind: 'nps', score: 9, max: 10, low: false, comment: null })),
    ).toEqual({
      sentence: 'The customer answered the NPS survey: 9 out of 10',
    })
  })

  it('says who placed and released a legal hold, and why', () => {
    expect(describeEntry(by('legal_hold_placed', { subject_type: 'case', reason: 'Carrier dispute' }))).toEqual({
      sentence: 'Marcus Obi placed a legal hold on the case',
      detail: 'Carrier dispute',
    })
    expect(say(by('legal_hold_released', { subject_type: 'customer', reason: 'Settled' }))).toBe(
      "Marcus Obi released the legal hold on the customer's cases",
    )
  })
})

describe('evidence on the timeline', () => {
  it('says who brought each file, with its type as the detail', () => {
    expect(
      describeEntry(
        by('evidence_added', { type_key: 'damage_photo', source: 'upload', status: 'active' }, 'Damage photo'),
      ),
    ).toEqual({
      sentence: 'Marcus Obi added evidence',
      detail: 'Damage photo',
    })
    expect(say(system('evidence_added', { type_key: 'pod_signature', source: 'carrier_pod', status: 'active' }))).toBe(
      "The carrier's proof of delivery was added as evidence",
    )
    expect(
      say(system('evidence_added', { type_key: 'other', source: 'message_attachment', status: 'candidate' })),
    ).toBe('The customer sent a file to classify as evidence')
    expect(say(by('evidence_classified', { type_key: 'invoice' }, 'Invoice'))).toBe(
      'Marcus Obi classified a file as evidence',
    )
    expect(say(by('evidence_deleted', { type_key: 'invoice' }))).toBe('Marcus Obi deleted an invoice from the evidence')
  })

  it('says what a rule did, names it as the actor, and why an action did not run', () => {
    const ruleId = '0190a000-0000-7000-8000-000000000009'
    const rule = entry({ type: 'rule', id: ruleId })
    const fired = rule('rule', {
      rule_id: ruleId,
      rule_name: 'Damage acknowledgement',
      version: 3,
      execution_id: 'x',
      outcome: 'fired',
      actions: [
        { action: 'send_template', text: "send_template('Damage Ack') TO customer", status: 'done' },
        {
          action: 'request_attachment',
          text: "request_attachment('photo') WITH 48h deadline",
          status: 'failed',
          detail: 'No email',
        },
      ],
    })
    expect(describeEntry(fired)).toEqual({
      sentence:
        "Rule “Damage acknowledgement” (v3) fired: send_template('Damage Ack') TO customer and request_attachment('photo') WITH 48h deadline",
      detail: "request_attachment('photo') WITH 48h deadline: No email",
    })
    expect(say(rule('rule', { rule_name: 'Pilot', version: 1, outcome: 'shadow', actions: [] }))).toBe(
      'Rule “Pilot” (v1) would have fired (shadow mode)',
    )
    const named = { ...rule('priority_changed', { from: 'normal', to: 'high' }), names: { [ruleId]: 'VIP' } }
    expect(say(named)).toBe('Rule “VIP” changed the priority from Normal to High')
    expect(say(rule('priority_changed', { from: 'normal', to: 'high' }))).toBe(
      'An automation rule changed the priority from Normal to High',
    )
  })
})
