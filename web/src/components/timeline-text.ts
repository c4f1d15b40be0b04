import { humanize, statusLabel } from './format'
import { formatMoney, type FormatMoney } from './money'

/** What the formatter needs of a timeline entry (the API's entry has more). */
export type Entry = {
  type: string
  actor: { type: string; id: string | null }
  data: Record<string, unknown>
  text: string
  names: Record<string, string>
}
type Said = { sentence: string; detail?: string }
type Change = { from?: unknown; to?: unknown; added?: string[]; removed?: string[]; done?: string[]; undone?: string[] }

const words = (key: unknown) => String(key ?? '').replaceAll('_', ' ')
const list = (items: string[]) =>
  items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)}` : (items[0] ?? '')
const plural = (n: number, word: string) => (n === 1 ? word : `${word}s`)
const str = (v: unknown) => (typeof v === 'string' ? v : undefined)
const article = (type: unknown) => (/^[aeiou]/.test(String(type)) ? `an ${words(type)}` : `a ${words(type)}`)

const actors: Record<string, string> = {
  system: 'Claimdesk',
  rule: 'An automation rule',
  api_key: 'An API key',
  customer: 'The customer',
}

const openedHow: Record<string, string> = {
  exception_policy: ' from a carrier exception',
  follow_up: ' as a follow-up',
  split: ' by splitting another case',
  api: ' through the API',
  email: ' from an email',
}

const reasons: Record<string, string> = { delivered: 'the parcel was delivered', reply: 'the customer replied' }

const scans: Record<string, string> = {
  info_received: "the carrier has the parcel's details",
  in_transit: 'the parcel is in transit',
  out_for_delivery: 'the parcel is out for delivery',
  available_for_pickup: 'the parcel is ready to collect',
  delivered: 'the parcel was delivered',
  attempt_failed: 'a delivery attempt failed',
  delayed: 'the parcel is delayed',
  customs_hold: 'the parcel is held at customs',
  exception: 'a delivery problem',
  damaged: 'the parcel was damaged',
  lost: 'the parcel was lost',
  returned_to_sender: 'the parcel is on its way back',
  cancelled: 'the shipment was cancelled',
  unknown: 'no news',
}

// Field names as people say them; entries written before changes were recorded name only the (column) fields.
const fieldWords: Record<string, string> = {
  value_amount_minor: 'value at stake',
  value: 'value at stake',
  value_currency: 'value at stake',
  team_id: 'team',
  product_sku: 'product SKU',
  refund_authorised_by: "refund's approver",
  parent_id: 'incident',
}
const fieldWord = (field: string) => fieldWords[field] ?? words(field)

/**
 * One sentence per timeline entry, in the agent's words, and any text that goes with it. Amounts go through `money`:
 * the console passes `useMoney()`, which knows the server's currency exponents.
 */
export function describeEntry(e: Entry, money: FormatMoney = formatMoney): Said {
  const d = e.data
  const named = e.actor.id ? e.names[e.actor.id] : undefined
  const actor =
    e.actor.type === 'user'
      ? named || 'Someone'
      : e.actor.type === 'rule' && named
        ? `Rule “${named}”`
        : (actors[e.actor.type] ?? humanize(e.actor.type))
  const who = (id: unknown) => (typeof id === 'string' ? (e.names[id] ?? 'someone no longer here') : 'nobody')
  const say = (rest: string, detail?: string): Said => ({ sentence: `${actor} ${rest}`, ...(detail ? { detail } : {}) })
  const numbers = () => (d.numbers as string[]).join(', ')
  switch (e.type) {
    case 'case.opened': // the text is the subject, then any description
      return say(`opened the case${openedHow[String(d.source)] ?? ''}`, e.text.split('\n').slice(1).join('\n').trim())
    case 'imported':
      return say(`imported the case from ${String(d.source)}`)
    case 'status_changed':
      return say(...statusWords(d))
    case 'reopened':
      return say(`reopened the case${d.reason ? `: ${String(d.reason)}` : ''}`)
    case 'priority_changed':
      return say(`changed the priority from ${humanize(String(d.from))} to ${humanize(String(d.to))}`)
    case 'fields_changed':
      return say(fieldsWords(d, (id) => (id === e.actor.id ? 'themselves' : who(id)), money))
    case 'assigned':
      return say(assignedWords(d, e.actor.type === 'user' ? e.actor.id : null, who))
    case 'note':
      return say('wrote an internal note')
    case 'carrier_event':
      return { sentence: scanWords(d, e.names) }
    case 'link_added':
      return say(`linked ${article(d.entity_type)}`)
    case 'link_removed':
      return say(`unlinked ${article(d.entity_type)}`)
    case 'merged':
      return say(`merged ${numbers()} into this case`)
    case 'merged_into':
      return say(`merged this case into ${String(d.number)}`)
    case 'split':
      return say(`split ${String(d.number)} off this case`)
    case 'escalated':
      return say(`escalated the case to level ${String(d.level)}${d.reason ? `: ${String(d.reason)}` : ''}`)
    case 'follow_up':
      return say(`opened the follow-up case ${String(d.number)}`, str(d.reason))
    case 'review_opened':
      return say(`opened the case from the review list (carrier said: ${words(d.status)})`)
    case 'incident_attached': // on a child, the incident's number; on the incident, its children's
      return say(d.number ? `added the case to incident ${String(d.number)}` : `grouped ${numbers()} in this incident`)
    case 'incident_detached':
      return say('removed the case from its incident')
    case 'message':
      return { sentence: messageWords(d, actor), detail: str(d.subject) }
    case 'consent': // a customer's STOP, START or HELP: the server words it ("opted out of SMS")
      return { sentence: `The customer ${e.text ?? `sent ${words(d.keyword)}`}`, detail: str(d.body) }
    case 'side_conversation': {
      const other = str(d.counterparty_name) ?? words(d.counterparty_kind)
      return d.action === 'answered'
        ? { sentence: `${other} answered the side conversation`, detail: str(d.subject) }
        : say(`${sideActions[String(d.action)] ?? words(d.action)} the side conversation with ${other}`, str(d.subject))
    }
    case 'legal_hold_placed': // the reason is the detail
      return say(
        `placed a legal hold on ${d.subject_type === 'customer' ? "the customer's cases" : 'the case'}`,
        str(d.reason),
      )
    case 'legal_hold_released':
      return say(
        `released the legal hold on ${d.subject_type === 'customer' ? "the customer's cases" : 'the case'}`,
        str(d.reason),
      )
    case 'sla_applied':
    case 'sla_met':
    case 'sla_breached':
    case 'sla_step':
    case 'sla_remedy':
    case 'sla_target_set':
    case 'sla_paused':
    case 'sla_resumed':
      return slaWords(e.type, d, say)
    case 'csat_answered': // the customer's own words are the detail
      return {
        sentence: `The customer answered the ${d.kind === 'nps' ? 'NPS' : 'satisfaction'} survey: ${String(d.score)} out of ${String(d.max)}${d.low ? ', a low score' : ''}`,
        ...(str(d.comment) ? { detail: str(d.comment) } : {}),
      }
    case 'evidence_added': // the text is the evidence type's label
      return evidenceWords(d, e.text || humanize(String(d.type_key)), say)
    case 'evidence_classified':
      return say('classified a file as evidence', e.text || humanize(String(d.type_key)))
    case 'evidence_deleted':
      return say(`deleted ${article(d.type_key)} from the evidence`)
    case 'rule':
      return ruleWords(d)
    // Types other modules register, until this file words them.
    default:
      return { sentence: `${actor}: ${humanize(e.type.replace('.', ' '))}`, detail: e.text || undefined }
  }
}

/** Who brought a file: a carrier's proof, a customer's attachment waiting to be classified, an upload. */
function evidenceWords(d: Record<string, unknown>, label: string, say: (rest: string, detail?: string) => Said): Said {
  if (d.source === 'carrier_pod')
    return { sentence: "The carrier's proof of delivery was added as evidence", detail: label }
  if (d.status === 'candidate') return { sentence: 'The customer sent a file to classify as evidence' }
  if (d.source === 'portal') return { sentence: 'The customer uploaded evidence', detail: label }
  return say('added evidence', label)
}

const ruleOutcomes: Record<string, string> = {
  fired: 'fired',
  shadow: 'would have fired (shadow mode)',
  failed: 'failed',
  skipped: 'was skipped',
}

/** An automation rule's execution on the case: what it did (or would have), and why any action did not run. */
function ruleWords(d: Record<string, unknown>): Said {
  const actions = (d.actions as { action?: string; text?: string; status?: string; detail?: string }[]) ?? []
  const head = `Rule “${String(d.rule_name)}” (v${String(d.version)}) ${ruleOutcomes[String(d.outcome)] ?? words(d.outcome)}`
  const did = actions.map((a) => a.text ?? words(a.action))
  const notDone = actions
    .filter((a) => a.status === 'failed' || a.status === 'skipped')
    .map((a) => `${a.text ?? words(a.action)}: ${a.detail ?? a.status}`)
  return {
    sentence: did.length ? `${head}: ${list(did)}` : head,
    ...(notDone.length ? { detail: notDone.join('\n') } : {}),
  }
}

const sideActions: Record<string, string> = { opened: 'started', closed: 'closed', reopened: 'reopened' }

const channels: Record<string, string> = {
  email: 'by email',
  portal: 'on the status page',
  sms: 'by SMS',
  whatsapp: 'on WhatsApp',
}

/** A message on the case: who wrote to whom, how; a side conversation says so. */
function messageWords(d: Record<string, unknown>, actor: string): string {
  const how = channels[String(d.channel)] ?? `by ${words(d.channel)}`
  if (d.direction === 'in')
    return d.visibility === 'side'
      ? `${String(d.from ?? 'Someone')} answered on a side conversation ${how}`
      : `The customer wrote ${how}`
  if (d.visibility === 'side') return `${actor} wrote on a side conversation ${how}`
  return d.automatic
    ? `${actor} sent the customer an automatic message ${how}`
    : `${actor} replied to the customer ${how}`
}

function statusWords(d: Record<string, unknown>): [string, string?] {
  if (d.to === 'resolved') {
    const cause = d.root_cause ? ` — root cause: ${words(d.root_cause)}` : ''
    return [`resolved the case: ${humanize(String(d.resolution_code))}${cause}`, str(d.resolution_note)]
  }
  if (d.to === 'closed') return ['closed the case']
  const reason = d.reason ? `: ${reasons[String(d.reason)] ?? String(d.reason)}` : ''
  return [`changed the status to ${statusLabel(String(d.to))}${reason}`]
}

function scanWords(d: Record<string, unknown>, names: Record<string, string>): string {
  const code = str(d.carrier)
  const carrier = str(d.carrier_name) ?? (code && names[code]) ?? code ?? 'The carrier'
  const sub = d.sub_status ? ` (${words(d.sub_status)})` : ''
  return `${carrier}: ${scans[String(d.status)] ?? words(d.status)}${sub}${d.message ? ` — ${String(d.message)}` : ''}`
}

function assignedWords(d: Record<string, unknown>, actorId: string | null, who: (id: unknown) => string): string {
  if (!d.to) return d.from ? `unassigned ${who(d.from)}` : 'unassigned the case'
  const how = String(d.how ?? 'manual')
  const by =
    how === 'manual'
      ? ''
      : how === 'bulk'
        ? ' in a bulk action'
        : how.startsWith('routing:')
          ? ` by the routing rule “${how.slice('routing:'.length)}”`
          : ` by ${words(how)}`
  const team = d.team_id ? ` (${who(d.team_id)})` : ''
  return d.to === actorId ? `took the case${team}` : `assigned the case to ${who(d.to)}${team}${by}`
}

function fieldsWords(d: Record<string, unknown>, who: (id: unknown) => string, money: FormatMoney): string {
  const changes = d.changes as Record<string, Change> | undefined
  if (!changes) return `changed the ${list([...new Set(((d.fields as string[]) ?? []).map(fieldWord))])}`
  return (
    Object.entries(changes)
      .flatMap(([field, c]) => changeWords(field, c, who, money))
      .join('; ') || 'changed nothing'
  )
}

function changeWords(field: string, c: Change, who: (id: unknown) => string, money: FormatMoney): string[] {
  switch (field) {
    case 'tags':
      return [
        ...(c.added?.length ? [`added the ${plural(c.added.length, 'tag')} ${c.added.join(', ')}`] : []),
        ...(c.removed?.length ? [`removed the ${plural(c.removed.length, 'tag')} ${c.removed.join(', ')}`] : []),
      ]
    case 'checklist':
      return [...(c.done ?? []).map((l) => `ticked “${l}”`), ...(c.undone ?? []).map((l) => `unticked “${l}”`)]
    case 'custom_fields':
      return Object.entries((c.to ?? {}) as Record<string, unknown>).map(([k, v]) =>
        v === null ? `cleared ${words(k)}` : `set ${words(k)} to ${String(v)}`,
      )
    case 'subject':
      return [`changed the subject to “${String(c.to)}”`]
    case 'team_id':
      return [c.to ? `moved the case to ${who(c.to)}` : 'took the case out of its team']
    case 'refund_authorised_by':
      return [c.to ? `recorded ${who(c.to)} as the refund's approver` : "cleared the refund's approver"]
    case 'parent_id':
      return [c.to ? 'added the case to an incident' : 'removed the case from its incident']
    case 'value': {
      const to = c.to as { amount_minor: number; currency: string } | null
      return [to ? `set the value at stake to ${money(to.amount_minor, to.currency)}` : 'cleared the value at stake']
    }
    default:
      return [c.to ? `set the ${fieldWord(field)} to ${words(c.to)}` : `cleared the ${fieldWord(field)}`]
  }
}

const targetWords = (t: unknown) =>
  t === 'first_response' || t === 'next_response' || t === 'resolution' ? words(t) : `“${words(t)}”`
const minutesWords = (m: number) =>
  m % 1440 === 0
    ? `${m / 1440} ${plural(m / 1440, 'day')}`
    : m % 60 === 0
      ? `${m / 60} ${plural(m / 60, 'hour')}`
      : `${m} minutes`
const remedies: Record<string, string> = {
  refund_authorisation: 'a refund authorisation',
  priority_return: 'a priority return',
}

/** The SLA module's entries: the policy applied, a target met or breached, an escalation step, a remedy. */
function slaWords(type: string, d: Record<string, unknown>, say: (rest: string, detail?: string) => Said): Said {
  const target = `the ${targetWords(d.target)} target`
  switch (type) {
    case 'sla_applied':
      return say(
        `${d.reapplied ? 're-applied' : 'applied'} the ${words(d.tier)} tier SLA (version ${String(d.policy_version)})`,
      )
    case 'sla_met':
      return say(`recorded ${target} as met${d.late ? ' late' : ' in time'}`)
    case 'sla_breached':
      return say(`recorded ${target} as breached`)
    case 'sla_step': {
      const actions = (d.actions as { type: string; result: string }[] | undefined) ?? []
      return say(
        `ran the SLA escalation step at ${String(d.at)} of ${target}`,
        actions.map((a) => a.result).join('; ') || undefined,
      )
    }
    case 'sla_remedy':
      return say(`requested ${remedies[String(d.remedy)] ?? words(d.remedy)} as the remedy for ${target}`)
    case 'sla_target_set':
      return say(
        `set ${target} to ${minutesWords(Number(d.minutes))} ${d.calendar_id ? 'in business hours' : 'in calendar time'}`,
      )
    case 'sla_paused':
      return say(`paused the SLA clocks while the case is ${statusLabel(String(d.status)).toLowerCase()}`)
    default:
      return say('resumed the SLA clocks')
  }
}
