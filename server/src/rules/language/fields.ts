// The field catalogue: what a condition may read, by canonical Facts key, with the aliases merchants write, the
// value type, the operators that make sense for it and the triggers it brings (docs/rules.md prints this table).

import { caseStatuses, priorities } from '../../cases/types.js'
import type { Comparison, FieldKey, TriggerKind } from '../types.js'

export type ValueType = 'text' | 'name' | 'number' | 'money' | 'percent' | 'duration' | 'tags'
/** What a name field's values resolve against */
export type NameKind = 'event' | 'carrier_event' | 'carrier' | 'case_type' | 'priority' | 'status'

export type FieldDef = {
  key: FieldKey
  aliases: string[]
  type: ValueType
  names?: NameKind
  ops: Comparison[]
  triggers: TriggerKind[]
  description: string
}

const equality: Comparison[] = ['=', '!=', 'in']
const textOps: Comparison[] = ['=', '!=', 'in', 'contains']
const ordered: Comparison[] = ['=', '!=', '>', '>=', '<', '<=']
const caseFields: TriggerKind[] = ['case_opened', 'case_changed']

const field = (
  key: FieldKey,
  type: ValueType,
  description: string,
  more: Partial<Pick<FieldDef, 'aliases' | 'names' | 'ops' | 'triggers'>> = {},
): FieldDef => ({
  key,
  type,
  description,
  aliases: more.aliases ?? [],
  ops:
    more.ops ??
    (type === 'text' ? textOps : type === 'name' ? equality : type === 'tags' ? ['contains', 'in'] : ordered),
  triggers: more.triggers ?? [],
  ...(more.names ? { names: more.names } : {}),
})

export const fields: FieldDef[] = [
  field('event', 'name', 'The event that triggered (the events table below lists those a rule may name)', {
    aliases: ['event_type'],
    names: 'event',
  }),
  field('carrier_event', 'name', "The tracking status: a canonical status or a label such as 'Undeliverable'", {
    aliases: ['carrier_status', 'tracking_status', 'shipment_status'],
    names: 'carrier_event',
    triggers: ['carrier_status'],
  }),
  field('carrier_sub_status', 'text', 'The tracking sub-status, such as left_with_neighbour or customs_released', {
    aliases: ['carrier_substatus', 'tracking_sub_status'],
    triggers: ['carrier_status'],
  }),
  field('carrier', 'name', "The carrier, by code or name ('DHL Express' = dhl_express)", {
    aliases: ['carrier_name', 'carrier_code'],
    names: 'carrier',
  }),
  field('service', 'text', 'The carrier service level', { aliases: ['carrier_service', 'shipping_service'] }),
  field('value', 'money', "Value at stake: the shipment's declared value, else its lines', else the order total", {
    aliases: ['value_at_stake', 'shipment_value'],
  }),
  field('order_value', 'money', "The order's total", { aliases: ['order_total'] }),
  field('customer_segment', 'text', "The customer's segment, such as vip or wholesale", {
    aliases: ['segment', 'customer_tier'],
  }),
  field('case_type', 'name', "The case's type, by label or key", {
    aliases: ['type'],
    names: 'case_type',
    triggers: caseFields,
  }),
  field('priority', 'name', "The case's priority: low, normal, high or urgent", {
    aliases: ['case_priority'],
    names: 'priority',
    triggers: caseFields,
  }),
  field('status', 'name', "The case's status ('Waiting on carrier' = waiting_carrier)", {
    aliases: ['case_status'],
    names: 'status',
    triggers: caseFields,
  }),
  field('source', 'text', 'How the case came in: carrier, email, portal, api and so on', { aliases: ['case_source'] }),
  field('tags', 'tags', "The case's tags", { aliases: ['tag', 'case_tags'] }),
  field('sla_elapsed', 'percent', 'Percent of the running resolution target spent', {
    aliases: ['resolution_elapsed'],
    triggers: ['sla_threshold'],
  }),
  field('sla_remaining', 'duration', 'Time until the running resolution target is due (negative: overdue)', {
    aliases: ['resolution_remaining'],
    triggers: ['sla_threshold'],
  }),
  field('first_response_elapsed', 'percent', 'Percent of the first-response target spent', {
    triggers: ['sla_threshold'],
  }),
  field('first_response_remaining', 'duration', 'Time until the first response is due', {
    triggers: ['sla_threshold'],
  }),
  field('product_category', 'text', "The affected lines' product category", { aliases: ['category'] }),
  field('sku', 'text', "The affected lines' SKU", { aliases: ['product_sku'] }),
  field('fulfilment_centre', 'text', 'The fulfilment centre the parcel left from', {
    aliases: ['fulfillment_center', 'fulfilment_center', 'fulfillment_centre', 'warehouse'],
  }),
  field('destination_country', 'text', 'The destination country (ISO code)', {
    aliases: ['country', 'ship_to_country'],
  }),
  field('channel', 'text', 'The channel the case or event came through: carrier, email, sms and so on', {
    aliases: ['case_channel'],
  }),
  field('evidence_count', 'number', 'How many evidence files the case holds', { triggers: ['evidence'] }),
  field('time_since_carrier_update', 'duration', 'Time since the newest carrier scan (or since it shipped)', {
    aliases: ['time_since_last_carrier_update', 'time_since_last_scan', 'carrier_silence'],
    triggers: ['carrier_silence'],
  }),
  field('message_text', 'text', "The received message's text", {
    aliases: ['message', 'message_body'],
    triggers: ['message_received'],
  }),
  field('connection_status', 'text', "A carrier connection's health: healthy or unhealthy", {
    triggers: ['connection_unhealthy'],
  }),
  field('connection_provider', 'text', 'The provider of the unhealthy connection', {
    aliases: ['provider'],
    triggers: ['connection_unhealthy'],
  }),
]

const byName = new Map(fields.flatMap((f) => [f.key, ...f.aliases].map((n) => [n, f] as const)))

/** A field by key or alias, case-insensitively. */
export const findField = (name: string): FieldDef | undefined => byName.get(name.toLowerCase())

export const fieldNames = (): string[] => [...byName.keys()]

/** Events a condition may name with `event = …`, and the trigger each comes through. */
export const eventTriggers: Record<string, TriggerKind> = {
  'case.opened': 'case_opened',
  'case.updated': 'case_changed',
  'shipment.status_changed': 'carrier_status',
  'message.received': 'message_received',
  'evidence.added': 'evidence',
  'evidence.request_overdue': 'evidence',
  'shipment.stale': 'shipment_stale',
  'shipment.late': 'shipment_late',
  'connection.unhealthy': 'connection_unhealthy',
  'clock:carrier_silence': 'carrier_silence',
  'clock:sla_threshold': 'sla_threshold',
}

/** Lowercase, runs of spaces and hyphens (and underscores) become one `_`: 'Damage Ack' → damage_ack. */
export const normaliseName = (name: string) =>
  name
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '_')

export type CarrierEventLabel = { label: string; statuses: string[]; sub_statuses?: string[] }

/**
 * The carrier-event labels merchants write, and the canonical statuses (carriers/model.ts) each covers. A canonical
 * status key matches itself. Undeliverable covers what the exception policy opens Undeliverable cases for.
 */
export const carrierEventLabels: CarrierEventLabel[] = [
  {
    label: 'Exception',
    statuses: ['attempt_failed', 'delayed', 'customs_hold', 'exception', 'damaged', 'lost', 'returned_to_sender'],
  },
  { label: 'Undeliverable', statuses: ['attempt_failed', 'exception', 'returned_to_sender'] },
  { label: 'Delayed - Customs', statuses: ['customs_hold'] },
  { label: 'Customs hold', statuses: ['customs_hold'] },
  { label: 'Customs released', statuses: ['in_transit', 'delayed'], sub_statuses: ['customs_released'] },
  { label: 'Delayed', statuses: ['delayed', 'customs_hold'] },
  { label: 'Lost', statuses: ['lost'] },
  { label: 'Damaged', statuses: ['damaged'] },
  { label: 'Delivered', statuses: ['delivered'] },
  { label: 'Left with neighbour', statuses: ['delivered'], sub_statuses: ['left_with_neighbour'] },
  { label: 'Out for delivery', statuses: ['out_for_delivery'] },
  { label: 'Available for pickup', statuses: ['available_for_pickup'] },
  { label: 'Failed attempt', statuses: ['attempt_failed'] },
  { label: 'Returned', statuses: ['returned_to_sender'] },
  { label: 'In transit', statuses: ['in_transit'] },
  { label: 'Info received', statuses: ['info_received'] },
  { label: 'Cancelled', statuses: ['cancelled'] },
]

export const statusLabels: Record<(typeof caseStatuses)[number], string> = {
  new: 'New',
  open: 'Open',
  waiting_customer: 'Waiting on customer',
  waiting_carrier: 'Waiting on carrier',
  on_hold: 'On hold',
  resolved: 'Resolved',
  closed: 'Closed',
}

export const priorityKeys: readonly string[] = priorities
export const statusKeys: readonly string[] = caseStatuses
