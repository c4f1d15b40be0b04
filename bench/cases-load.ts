import type pg from 'pg'

// Set-based generation of cases and their timelines for the cases bench. Every value is a function
// of a case's slot (merchant index, case index), through hashint8extended: runs are repeatable, and a
// case can point at another (a duplicate at the case before it) without reading it back.

export type Region = 'uk' | 'eu' | 'us'

/** One workspace as the loader needs it: its size, and the people and teams cases go to. */
export type LoadMerchant = {
  i: number
  id: string
  n: number
  region: Region
  currency: string
  /** Support, HighValue, Logistics Ops */
  teams: [string, string, string]
  /** the agents of each of those teams */
  agents: [string[], string[], string[]]
}

type Weighted = readonly (readonly [string, number])[]

export const caseTypes: Weighted = [
  ['lost_parcel', 24],
  ['damaged', 19],
  ['late_delivery', 18],
  ['undeliverable', 8],
  ['missing_item', 7],
  ['wrong_item', 6],
  ['customs_hold', 5],
  ['return_dispute', 5],
  ['warranty_claim', 5],
  ['other', 3],
]

// Four subjects per type, in the order of caseTypes; {tn} is the tracking number, {p} the product.
const subjects = [
  'Lost parcel {tn}',
  'Where is my order? {p} never arrived',
  'Parcel stuck in transit, no scan for a week',
  'No tracking updates since dispatch {tn}',
  'Damaged parcel {tn}',
  '{p} arrived broken',
  '{p} arrived cracked and scratched',
  'Box crushed in transit, {p} smashed',
  'Late delivery {tn}',
  '{p} still not here, past the promised date',
  'Delivery estimate keeps slipping',
  'Order late for a birthday gift',
  'Undeliverable {tn}',
  'Courier could not find the address',
  'Parcel returned to sender',
  'Failed delivery attempt, nobody home',
  'Items missing from my order',
  '{p} missing from the box',
  'Only half of the order arrived',
  'Parcel delivered but {p} not inside',
  'Wrong item received',
  'Received the wrong colour of {p}',
  'Ordered {p}, got something else',
  'Wrong size sent',
  'Customs hold {tn}',
  'Customs asking for duties on {p}',
  'Parcel held at the border',
  'Import charges not expected',
  'Refund for returned {p} not received',
  'Return rejected, {p} was unused',
  'Return label does not work',
  'Restocking fee disputed',
  '{p} stopped working',
  'Warranty repair for {p}',
  '{p} faulty after two months',
  'Replacement part for {p}',
  'Question about my order',
  'Change delivery address',
  'Invoice needed for {p}',
  'Cancel my order',
]

const descriptions = [
  'Tracking has said in transit for ten days and the courier hotline is no help.',
  'The outer box was soaked and the item inside is dented beyond use. Photos attached.',
  'I needed this by Friday and it is now three days late, please tell me what is happening.',
  'The driver left a card saying the address was incomplete but the postcode is right.',
  'Opened the parcel and two of the four items are missing, the packing slip lists them all.',
  'The label on the box is right but the item inside is a different model.',
  'I have been asked to pay import VAT and a handling fee before the parcel is released.',
  'Sent the return back three weeks ago with tracking and still no refund.',
  'It worked for a month and now it will not switch on at all, I have tried another charger.',
  'Could you help with this please, I could not find the answer in the FAQ.',
]

const notes = [
  'Opened a trace with the carrier, reference pending.',
  'Customer called, parcel still missing. Offered a reship.',
  'Asked the customer for photos of the damage and the packaging.',
  'Photos received: corner of the box crushed, glass shattered.',
  'Carrier claim filed with proof of postage and invoice.',
  'Carrier confirmed the parcel is lost in the network.',
  'Warehouse confirms the order left complete, weight matches the manifest.',
  'Refund approved by the team lead.',
  'Reship sent with a signature required.',
  'Customer prefers a refund over a replacement.',
  'Neighbour signed for the parcel according to the proof of delivery.',
  'Asked the customer to check with neighbours and the safe place.',
  'Customs needs the commercial invoice; sent it to the broker.',
  "Duties paid on the customer's behalf as a goodwill gesture.",
  'Address corrected with the carrier, redelivery booked for tomorrow.',
  'Left a voicemail, will try again this afternoon.',
  'Customer is upset, escalating to the team lead.',
  'Offered a 15% voucher for the inconvenience.',
  'Item is leaking, asked the warehouse to check the batch.',
  'Packaging looks fine, damage may have happened after delivery.',
  'Chased the carrier again, they promise an update within 48 hours.',
  'The courier scanned it as delivered to the wrong house number.',
  'Return received at the warehouse, inspecting the item.',
  'Item returned unused, refund issued to the original payment method.',
  'Serial number checked: within warranty.',
  'Sent a prepaid return label by email.',
  'Fraud check: the customer has several similar claims this year.',
  "Chargeback opened by the customer's bank, gathering evidence.",
  'Carrier credited the shipping cost.',
  'Replacement dispatched from the Manchester warehouse.',
  'Customer confirmed the replacement arrived in good condition.',
  'No reply from the customer after two reminders.',
  'Merged a duplicate request from the same customer.',
  'Pallet was dropped at the hub according to the depot manager.',
  'Customer wants to keep the wrong item at a discount.',
  'Instructions sent for the repair centre drop-off.',
  'Parcel found at the depot, out for delivery again.',
  'Tracking shows delivered to a parcel locker.',
  'Customer says the doorbell camera shows no delivery.',
  'Closed the loop with the customer, all sorted.',
]

const resolutionCodes: Weighted = [
  ['refunded', 35],
  ['reshipped', 24],
  ['carrier_credited', 10],
  ['replaced', 10],
  ['no_action', 9],
  ['rejected', 7],
  ['repaired', 2],
  ['duplicate', 3],
]
const resolutionNotes = [
  'Refunded in full after the carrier confirmed the loss.',
  'Reshipped with tracked delivery.',
  'Carrier accepted the claim and credited us.',
  'Replacement sent, customer keeps the damaged item.',
  'Delivered after all, nothing to do.',
  'Claim rejected: delivered with signature.',
  'Repaired under warranty.',
  'Duplicate of an earlier request.',
]

export const carrierCodes = [
  'royal_mail',
  'evri',
  'dpd',
  'dhl_express',
  'ups',
  'fedex',
  'usps',
  'gls',
  'yodel',
  'parcelforce',
  'postnl',
  'colissimo',
  'canada_post',
  'australia_post',
] as const
// Carrier mix per region (same order as carrierCodes): UK shops ship Royal Mail and Evri, US ones USPS and UPS.
const carrierMix: Record<Region, number[]> = {
  uk: [34, 18, 14, 6, 4, 3, 0, 1, 9, 7, 0, 0, 2, 2],
  eu: [2, 0, 20, 22, 8, 6, 0, 18, 0, 0, 14, 10, 0, 0],
  us: [0, 0, 0, 8, 30, 22, 34, 0, 0, 0, 0, 0, 4, 2],
}
// prefix, digits, suffix: the shapes of each carrier's numbers
const trackingShapes: Record<string, [string, number, string]> = {
  royal_mail: ['RM', 9, 'GB'],
  evri: ['H00', 13, ''],
  dpd: ['15', 12, ''],
  dhl_express: ['', 10, ''],
  ups: ['1Z', 16, ''],
  fedex: ['', 12, ''],
  usps: ['9400', 18, ''],
  gls: ['', 11, ''],
  yodel: ['JD', 16, ''],
  parcelforce: ['PB', 9, 'GB'],
  postnl: ['3S', 13, ''],
  colissimo: ['6A', 11, ''],
  canada_post: ['', 16, ''],
  australia_post: ['AP', 9, 'AU'],
}
const carrierStatuses = [
  'in transit',
  'out for delivery',
  'delayed (weather)',
  'attempt failed (no access)',
  'exception (address query)',
  'customs hold',
  'delivered',
  'available for pickup',
  'returned to sender',
  'info received',
]

const products = [
  ['MUG', 'enamel mug'],
  ['TEE', 'organic tee'],
  ['LMP', 'desk lamp'],
  ['BLK', 'wool blanket'],
  ['VAS', 'ceramic vase'],
  ['SHO', 'running shoes'],
  ['JKT', 'rain jacket'],
  ['KTL', 'electric kettle'],
  ['HPH', 'wireless headphones'],
  ['BAG', 'canvas tote'],
  ['PEN', 'fountain pen'],
  ['PLT', 'dinner plates'],
  ['CHR', 'folding chair'],
  ['RUG', 'jute rug'],
  ['CND', 'scented candle'],
  ['WAT', 'smart watch'],
  ['SPK', 'bluetooth speaker'],
  ['GLS', 'wine glasses'],
  ['BKS', 'bookshelf'],
  ['PIL', 'linen pillow'],
  ['SCF', 'cashmere scarf'],
  ['BTL', 'water bottle'],
  ['KNF', 'chef knife'],
  ['TOY', 'wooden toy train'],
] as const
const fulfilmentCentres: Record<Region, [string, string]> = {
  uk: ['LHR1', 'MAN2'],
  eu: ['BER2', 'AMS1'],
  us: ['EWR1', 'LAX2'],
}
const tagsA: Weighted = [
  ['vip', 30],
  ['repeat_customer', 30],
  ['b2b', 15],
  ['subscription', 15],
  ['gift', 10],
]
const tagsB: Weighted = [
  ['fragile', 25],
  ['international', 20],
  ['carrier_claim', 20],
  ['high_value', 15],
  ['chargeback_risk', 8],
  ['social_media', 7],
  ['escalated', 5],
]
const channels: Weighted = [
  ['email', 45],
  ['portal', 22],
  ['api', 15],
  ['chat', 10],
  ['phone', 8],
]
const sources: Weighted = [
  ['manual', 50],
  ['exception_policy', 25],
  ['api', 20],
  ['import', 5],
]
const unresolvedMix: Weighted = [
  ['new', 8],
  ['open', 37],
  ['waiting_customer', 22],
  ['waiting_carrier', 20],
  ['on_hold', 13],
]
const freshMix: Weighted = [
  ['new', 60],
  ['open', 30],
  ['waiting_customer', 10],
]
const priorities: Weighted = [
  ['normal', 70],
  ['high', 17],
  ['low', 8],
  ['urgent', 5],
]
// Middle entries of a timeline (the first is the opening, the second the assignment, the last the resolution).
const entryKinds: Weighted = [
  ['carrier_event', 45],
  ['note', 30],
  ['status_changed', 13],
  ['link_added', 5],
  ['priority_changed', 4],
  ['escalated', 3],
]

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`
const array = (xs: readonly string[]) => `array[${xs.map(lit).join(', ')}]::text[]`
/** Uniform in [0, 1), fixed by key and salt. */
const rnd = (salt: number, key = 'g') => `((hashint8extended(${key}, ${salt}) & 2147483647)::float8 / 2147483648)`

/** The index (0-based) chosen by `r` from weights: one evaluation of `r`, a binary search of the cumulative weights. */
function pickIndex(r: string, weights: readonly number[]): string {
  const total = weights.reduce((a, b) => a + b, 0)
  let acc = 0
  const bounds = weights.slice(0, -1).map((w) => ((acc += w) / total).toFixed(6))
  return `width_bucket(${r}, array[${bounds.join(', ')}]::float8[])`
}
const pick = (r: string, xs: Weighted) =>
  `(${array(xs.map(([v]) => v))})[${pickIndex(
    r,
    xs.map(([, w]) => w),
  )} + 1]`

/** A UUIDv7 stamped with `ts`, its random bits drawn from `key`: time-ordered like the ids newId() mints. */
const uuid7 = (
  ts: string,
  key: string,
  salt: number,
) => `(lpad(to_hex((extract(epoch from ${ts}) * 1000)::bigint), 12, '0') || '7'
  || lpad(to_hex(hashint8extended(${key}, ${salt}) & 4095), 3, '0') || to_hex(8 + ((hashint8extended(${key}, ${salt}) >> 12) & 3))
  || lpad(to_hex((hashint8extended(${key}, ${salt}) >> 14) & 4095), 3, '0') || lpad(to_hex(hashint8extended(${key}, ${salt + 1}) & 281474976710655), 12, '0'))::uuid`
/** A stable id for things outside the cases tables (customers, orders, shipments). */
const uuidOf = (key: string, salt: number) =>
  `(lpad(to_hex(hashint8extended(${key}, ${salt})), 16, '0') || lpad(to_hex(hashint8extended(${key}, ${salt + 1})), 16, '0'))::uuid`

// Case k of n is opened at fraction t of the two years: density grows from 0.5 to 1.5 (F(t) = (t + t²) / 2),
// so numbers follow time and recent months are busier.
const openedAt = (k: string, g: string) =>
  `($4::timestamptz - interval '730 days' * (1 - (sqrt(1 + 8 * ((${k} - 1 + ${rnd(1, g)}) / n)) - 1) / 2))`

const carrierName = (code: string) =>
  `(case ${carrierCodes.map((c, i) => `when ${code} = ${lit(c)} then ${lit(carrierDisplay[i]!)}`).join(' ')} end)`
const carrierDisplay = [
  'Royal Mail',
  'Evri',
  'DPD',
  'DHL Express',
  'UPS',
  'FedEx',
  'USPS',
  'GLS',
  'Yodel',
  'Parcelforce Worldwide',
  'PostNL',
  'Colissimo',
  'Canada Post',
  'Australia Post',
]
const tracking = (code: string) =>
  `(case ${carrierCodes
    .map((c) => {
      const [prefix, digits, suffix] = trackingShapes[c]!
      return `when ${code} = ${lit(c)} then ${lit(prefix)} || lpad(((hashint8extended(g, 9) & 9223372036854775807) % ${10n ** BigInt(digits)})::text, ${digits}, '0') || ${lit(suffix)}`
    })
    .join(' ')} end)`

const regions: Region[] = ['uk', 'eu', 'us']
const agentsOf = (team: string) => `(case ${team} when 1 then a2 when 2 then a3 else a1 end)`

/**
 * One statement per batch: the cases of every workspace opened in the time slice [lo, hi) of the
 * two years, in time order (as production interleaves workspaces), and their timelines.
 * $1 merchants (json), $2 lo, $3 hi, $4 now.
 */
const batchSql = `
with m as (
  select * from jsonb_to_recordset($1::jsonb) as x(i int, mid uuid, n int, region int, cur text, t1 uuid, t2 uuid, t3 uuid, a1 uuid[], a2 uuid[], a3 uuid[])
),
slot as (
  select m.*, k, m.i::bigint * 10000000 + k as g
  from m cross join lateral generate_series(floor(m.n * $2::float8)::int + 1, floor(m.n * $3::float8)::int) as k
),
opened as (
  select slot.*, ${openedAt('k', 'g')} as created_at from slot
),
-- materialized: an inlined CTE repeats its expressions wherever a column is used; these are computed once
aged as materialized (
  select opened.*, extract(epoch from $4::timestamptz - created_at) / 86400 as age_days, ${pickIndex(
    rnd(6),
    caseTypes.map(([, w]) => w),
  )} as ti from opened
),
-- ~25% unresolved overall: nearly every case of the last days, and a tail of stale ones
fate as (
  select aged.*, ${rnd(2)} < 0.22 + 0.78 * exp(-age_days / 21) as unresolved, least(age_days * 0.9, 0.1 + 8 * power(${rnd(4)}, 2)) as resolve_days,
    case when ${rnd(8)} < 0.04 then null else (${array(carrierCodes)})[(case region ${regions.map((r, ri) => `when ${ri} then ${pickIndex(rnd(7), carrierMix[r])}`).join(' ')} end) + 1] end as carrier,
    ${pickIndex(
      `power(${rnd(10)}, 2)`,
      products.map(() => 1),
    )} as pi,
    ${pickIndex(rnd(12), [62, 8, 26, 4])} as team
  from aged
),
c as materialized (
  select fate.*,
    case when unresolved then (case when age_days < 1 then ${pick(rnd(3), freshMix)} else ${pick(rnd(3), unresolvedMix)} end)
      when age_days - resolve_days > 3 then 'closed' else 'resolved' end as status,
    case when not unresolved then ${pick(rnd(5), resolutionCodes)} end as resolution_code
  from fate
),
d as (
  select c.*,
    case when status in ('resolved', 'closed') then created_at + interval '1 day' * resolve_days end as resolved_at,
    case when status = 'closed' then created_at + interval '1 day' * (resolve_days + 3) end as closed_at,
    case when team < 3 and ${rnd(13)} < (case when status = 'new' then 0.15 when unresolved then 0.9 else 0.97 end)
      then ${agentsOf('team')}[1 + floor(cardinality(${agentsOf('team')}) * power(${rnd(14)}, 1.3))::int] end as assignee,
    ${tracking('carrier')} as tracking_number
  from c
),
cases_in as materialized (
  select d.*,
    case when status = 'closed' then closed_at when status = 'resolved' then resolved_at
      else created_at + (($4::timestamptz - created_at) * (1 - power(${rnd(15)}, 2))) end as updated_at,
    3 + floor(18 * power(${rnd(16)}, 1.35))::int as entries,
    ${uuid7('created_at', 'g', 100)} as case_id,
    left(btrim(replace(replace((${array(subjects)})[ti * 4 + 1 + floor(${rnd(17)} * 4)::int], '{tn}', coalesce(tracking_number, '')), '{p}', (${array(products.map(([, p]) => p))})[pi + 1])), 300) as subject
  from d
),
entry as (
  select cases_in.*, e, g * 32 + e as eg,
    case when e = 1 then 'case.opened' when e = 2 and assignee is not null then 'assigned'
      when e = entries and status in ('resolved', 'closed') then 'resolved'
      else ${pick(rnd(40, 'g * 32 + e'), entryKinds)} end as kind,
    created_at + (updated_at - created_at) * (case when e = 1 then 0 else ((e - 1) + 0.9 * ${rnd(41, 'g * 32 + e')}) / entries end) as at
  from cases_in cross join lateral generate_series(1, entries) as e
),
timeline_in (merchant_id, id, case_id, type, occurred_at, actor_type, actor_id, data, text, dedup_key, created_at) as materialized (
select mid, ${uuid7('at', 'eg', 300)}, case_id,
  case when kind = 'resolved' or (kind = 'carrier_event' and carrier is null) then (case when kind = 'resolved' then 'status_changed' else 'note' end) else kind end,
  at,
  case when kind = 'carrier_event' and carrier is not null then 'system' when kind = 'case.opened' then 'api_key' else 'user' end,
  case when kind in ('note', 'status_changed', 'assigned', 'resolved', 'priority_changed', 'escalated', 'link_added') then coalesce(assignee, a1[1]) end,
  case kind
    when 'case.opened' then jsonb_build_object('case_type', (${array(caseTypes.map(([t]) => t))})[ti + 1], 'channel', 'email')
    when 'assigned' then jsonb_build_object('from', null, 'to', assignee, 'how', 'manual')
    when 'resolved' then jsonb_build_object('from', 'open', 'to', 'resolved', 'resolution_code', resolution_code)
    when 'carrier_event' then jsonb_build_object('carrier', carrier, 'tracking_number', tracking_number, 'status', 'in_transit')
    when 'status_changed' then jsonb_build_object('from', 'new', 'to', 'open')
    else '{}'::jsonb end,
  case kind
    when 'case.opened' then subject || E'\\n' || (${array(descriptions)})[ti + 1]
    when 'assigned' then ''
    when 'resolved' then 'Resolved: ' || resolution_code
    when 'carrier_event' then coalesce(${carrierName('carrier')} || ': ' || (${array(carrierStatuses)})[1 + floor(${rnd(42, 'eg')} * ${carrierStatuses.length})::int] || ' ' || tracking_number,
      (${array(notes)})[1 + floor(${rnd(43, 'eg')} * ${notes.length})::int])
    when 'note' then (${array(notes)})[1 + floor(${rnd(43, 'eg')} * ${notes.length})::int]
    when 'status_changed' then 'Status ' || (array['open', 'waiting_customer', 'waiting_carrier', 'on_hold'])[1 + floor(${rnd(44, 'eg')} * 4)::int]
    when 'link_added' then 'Linked order'
    when 'priority_changed' then 'Priority high'
    else 'Escalated to level 1: customer threatened a chargeback' end,
  case when kind = 'carrier_event' and carrier is not null then 'evt_' || eg end,
  at
from entry
),
-- The case's search document holds its timeline's texts, as addTimelineSearch keeps it.
docs as (
  select case_id, to_tsvector('english', string_agg(text, E'\\n' order by occurred_at, id)) as doc from timeline_in where text <> '' group by case_id
),
inserted as (
  insert into cases (merchant_id, id, number, type_key, subject, status, priority, channel, source, sla_tier, customer_id, order_id, shipment_id,
    carrier_code, carrier_name, tracking_number, product_sku, fulfilment_centre, value_amount_minor, value_currency, team_id, assignee_id, tags,
    resolution_code, resolution_note, root_cause, escalation_level, escalation_reason, merged_into_id, first_acted_at, resolved_at, closed_at, created_at, updated_at, timeline_search)
  select mid, case_id, 1000 + k, (${array(caseTypes.map(([t]) => t))})[ti + 1], subject, status, case when ti = 0 and ${rnd(18)} < 0.5 then 'high' else ${pick(rnd(19), priorities)} end,
    ${pick(rnd(20), channels)}, ${pick(rnd(21), sources)}, 'standard',
    case when ${rnd(22)} < 0.97 then ${uuidOf(`i::bigint * 10000000 + floor(n / 1.6 * power(${rnd(23)}, 1.2))::bigint`, 200)} end,
    case when ${rnd(24)} < 0.93 then ${uuidOf('g', 210)} end,
    case when carrier is not null then ${uuidOf('g', 220)} end,
    carrier, ${carrierName('carrier')}, tracking_number,
    (${array(products.map(([s]) => s))})[pi + 1] || '-' || lpad((1 + floor(${rnd(25)} * 12))::text, 3, '0'),
    (case region ${regions.map((r, ri) => `when ${ri} then ${array(fulfilmentCentres[r])}`).join(' ')} end)[1 + floor(${rnd(26)} * 2)::int],
    case when ${rnd(27)} < 0.7 then (exp(ln(5) + ${rnd(28)} * ln(80)) * 100)::bigint end,
    case when ${rnd(27)} < 0.7 then cur end,
    case team when 0 then t1 when 1 then t2 when 2 then t3 end, assignee,
    case when ${rnd(29)} < 0.28 then array_remove(array[${pick(rnd(30), tagsA)}, case when ${rnd(31)} < 0.45 then ${pick(rnd(32), tagsB)} end], null) else '{}' end,
    case when resolution_code = 'duplicate' and k = 1 then 'no_action' else resolution_code end,
    case when resolution_code is not null and ${rnd(33)} < 0.6 then (${array(resolutionNotes)})[1 + floor(${rnd(34)} * ${resolutionNotes.length})::int] end,
    case when resolution_code is not null then (array['carrier', 'carrier', 'carrier', 'packaging', 'pick_pack_error', 'address', 'customer', 'unknown'])[1 + floor(${rnd(35)} * 8)::int] end,
    case when ${rnd(36)} < 0.03 then 1 else 0 end, case when ${rnd(36)} < 0.03 then 'Customer threatened a chargeback' end,
    case when resolution_code = 'duplicate' and k > 1 then ${uuid7(openedAt('(k - 1)', '(g - 1)'), '(g - 1)', 100)} end,
    case when status <> 'new' then created_at + (coalesce(resolved_at, updated_at) - created_at) * 0.2 * ${rnd(37)} end,
    resolved_at, closed_at, created_at, updated_at, coalesce(docs.doc, '')
  from cases_in left join docs using (case_id)
  order by created_at
  returning merchant_id
)
insert into case_timeline (merchant_id, id, case_id, type, occurred_at, actor_type, actor_id, data, text, dedup_key, created_at)
select * from timeline_in
order by occurred_at
`

export type BatchResult = { cases: number; entries: number }

export async function loadBatch(
  client: pg.PoolClient,
  merchants: LoadMerchant[],
  lo: number,
  hi: number,
  now: Date,
): Promise<BatchResult> {
  const json = merchants.map((m) => ({
    i: m.i,
    mid: m.id,
    n: m.n,
    region: regions.indexOf(m.region),
    cur: m.currency,
    t1: m.teams[0],
    t2: m.teams[1],
    t3: m.teams[2],
    a1: m.agents[0],
    a2: m.agents[1],
    a3: m.agents[2],
  }))
  const r = await client.query(batchSql, [JSON.stringify(json), lo, hi, now])
  const cases = merchants.reduce((s, m) => s + Math.floor(m.n * hi) - Math.floor(m.n * lo), 0)
  return { cases, entries: r.rowCount ?? 0 }
}

// Words of notes (each in ~6% of a workspace's cases) and products (~1.5%), as people search them.
export const searchWords = [
  'neighbour',
  'kettle',
  'voucher',
  'leaking',
  'headphones',
  'locker',
  'doorbell',
  'scarf',
  'pallet',
  'voicemail',
]
