import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import { recordChange } from '../../changes.js'
import type { Database } from '../../db/schema.js'
import { newId } from '../../ids.js'
import * as store from '../store.js'
import { toCustomer, type Customer, type CustomerInput } from '../types.js'
import { normalisePhone, personal, recordCustomerUpdate, snapshot } from './customer-fields.js'
import { lockSurvivorRow } from './survivor.js'

type Trx = Transaction<Database>

export type UpsertResult = { customer: Customer; outcome: 'created' | 'updated' | 'unchanged' | 'stale' }

/**
 * Finds the customer by its id at the source, then by email, then by phone, and creates one
 * only when none matches; so a shopper who ordered as a guest and later with an account is one customer.
 */
export async function upsertCustomer(
  trx: Trx,
  ctx: ServiceContext,
  input: CustomerInput,
  now: Date,
): Promise<UpsertResult> {
  const { merchantId } = ctx
  const phone = input.phone === undefined ? undefined : normalisePhone(input.phone)
  const email = input.email === undefined ? undefined : input.email?.trim() || null
  let id = input.externalId
    ? (await store.findByExternalId(trx, merchantId, input.source, input.externalId))?.customer_id
    : undefined
  id ??= (await store.findByContact(trx, merchantId, { email, phone }))?.id
  if (id) {
    const row = await lockSurvivorRow(trx, merchantId, id)
    if (row) return applyUpdate(trx, ctx, row, { ...input, email, phone }, now)
  }
  const created = await store.insertCustomer(trx, {
    merchant_id: merchantId,
    id: newId(),
    name: input.name?.trim() || null,
    email: email ?? null,
    phone: phone ?? null,
    locale: input.locale ?? null,
    time_zone: input.timeZone ?? null,
    segment: input.segment ?? 'retail',
    consent_email: input.consent?.email ?? false,
    consent_sms: input.consent?.sms ?? false,
    consent_whatsapp: input.consent?.whatsapp ?? false,
    merged_into_id: null,
    redacted_at: null,
    source_updated_at: input.sourceUpdatedAt ?? null,
    created_at: now,
    updated_at: now,
  })
  if (input.externalId) await store.addExternalId(trx, merchantId, created.id, input.source, input.externalId)
  await recordChange(
    trx,
    ctx,
    { action: 'customer.created', entityType: 'customer', entityId: created.id, after: snapshot(created), personal },
    { source: input.source, segment: created.segment },
    now,
  )
  return {
    customer: toCustomer(created, input.externalId ? [{ source: input.source, external_id: input.externalId }] : []),
    outcome: 'created',
  }
}

/** Applies what the input gives to a held customer: a newer change is written, audited and announced. */
export async function applyUpdate(
  trx: Trx,
  ctx: ServiceContext,
  row: store.CustomerRow,
  input: CustomerInput,
  now: Date,
): Promise<UpsertResult> {
  const { merchantId } = ctx
  if (input.externalId) await store.addExternalId(trx, merchantId, row.id, input.source, input.externalId)
  const externalIds = await store.listExternalIds(trx, merchantId, [row.id])
  if (input.sourceUpdatedAt && row.source_updated_at && input.sourceUpdatedAt < row.source_updated_at) {
    return { customer: toCustomer(row, externalIds), outcome: 'stale' }
  }
  // Fields the input leaves out keep their values; an empty value never erases a known one.
  const patch = {
    ...(input.name ? { name: input.name.trim() } : {}),
    ...(input.email ? { email: input.email } : {}),
    ...(input.phone ? { phone: input.phone } : {}),
    ...(input.locale ? { locale: input.locale } : {}),
    ...(input.timeZone ? { time_zone: input.timeZone } : {}),
    ...(input.segment ? { segment: input.segment } : {}),
    ...(input.consent?.email !== undefined ? { consent_email: input.consent.email } : {}),
    ...(input.consent?.sms !== undefined ? { consent_sms: input.consent.sms } : {}),
    ...(input.consent?.whatsapp !== undefined ? { consent_whatsapp: input.consent.whatsapp } : {}),
  }
  const before = snapshot(row)
  const changed = Object.entries(patch).some(([k, v]) => before[k as keyof typeof before] !== v)
  if (!changed) {
    if (input.sourceUpdatedAt)
      await store.updateCustomer(trx, merchantId, row.id, { source_updated_at: input.sourceUpdatedAt })
    return { customer: toCustomer(row, externalIds), outcome: 'unchanged' }
  }
  const updated = await store.updateCustomer(trx, merchantId, row.id, {
    ...patch,
    source_updated_at: input.sourceUpdatedAt ?? row.source_updated_at,
    updated_at: now,
  })
  await recordCustomerUpdate(trx, ctx, row.id, { before, after: snapshot(updated), fields: Object.keys(patch) }, now)
  return { customer: toCustomer(updated, externalIds), outcome: 'updated' }
}
