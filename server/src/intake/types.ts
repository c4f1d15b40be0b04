import type { InboxDelivery } from '../integrations/providers.js'
import type { DeliveryRow, DeliverySummaryRow } from './store.js'
import type { InboxSource } from '../integrations/types.js'
import type { DeliveryStatus } from './tables.js'

export type DeliverySummary = {
  id: string
  connection_id: string
  source: InboxSource
  provider: string
  dedup_key: string
  received_at: Date
  content_type: string | null
  status: DeliveryStatus
  attempts: number
  last_error: string | null
  processed_at: Date | null
  body_size: number
}

export type DeliveryDetail = DeliverySummary & {
  headers: Record<string, string>
  /** UTF-8 text when the bytes are valid UTF-8, otherwise base64 (see body_encoding). */
  body: string
  body_encoding: 'utf8' | 'base64'
}

export function toDeliverySummary(row: DeliverySummaryRow): DeliverySummary {
  return {
    id: row.id,
    connection_id: row.connection_id,
    source: row.source,
    provider: row.provider,
    dedup_key: row.dedup_key,
    received_at: row.received_at,
    content_type: row.content_type,
    status: row.status,
    attempts: row.attempts,
    last_error: row.last_error,
    processed_at: row.processed_at,
    body_size: row.body_size,
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

function bodyText(body: Buffer): Pick<DeliveryDetail, 'body' | 'body_encoding'> {
  try {
    return { body: utf8.decode(body), body_encoding: 'utf8' }
  } catch {
    return { body: body.toString('base64'), body_encoding: 'base64' }
  }
}

export function toDeliveryDetail(row: DeliveryRow): DeliveryDetail {
  return { ...toDeliverySummary({ ...row, body_size: row.body.length }), headers: row.headers, ...bodyText(row.body) }
}

export function toInboxDelivery(row: DeliveryRow): InboxDelivery {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    connectionId: row.connection_id,
    source: row.source,
    provider: row.provider,
    dedupKey: row.dedup_key,
    receivedAt: row.received_at,
    headers: row.headers,
    body: row.body,
    contentType: row.content_type,
    attempts: row.attempts,
    requestId: row.request_id,
  }
}
