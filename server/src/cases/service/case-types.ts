import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import { newId } from '../../ids.js'
import { defaultCaseTypes } from '../defaults.js'
import * as caseTypeStore from '../store/case-types.js'
import * as caseStore from '../store/cases.js'
import type { Db } from '../store/cases.js'
import type { CaseTemplate, CustomFieldDef, Priority } from '../tables.js'
import { toCaseType, type CaseType } from '../types.js'
import { recordAuditFor } from '../../changes.js'

type Trx = Transaction<Database>

/** Idempotent (keys are unique), so two first uses at once seed once. */
async function seedDefaultCaseTypes(trx: Trx, merchantId: string, now: Date): Promise<void> {
  await caseTypeStore.insertCaseTypes(
    trx,
    defaultCaseTypes.map((t) => ({
      merchant_id: merchantId,
      id: newId(),
      key: t.key,
      label: t.label,
      description: t.description,
      default_priority: t.priority,
      custom_fields: JSON.stringify(t.customFields),
      required_evidence: t.requiredEvidence,
      sla_tier: t.slaTier,
      template_keys: JSON.stringify({}),
      template: JSON.stringify(t.template),
      builtin: true,
      archived_at: null,
      created_at: now,
      updated_at: now,
    })),
  )
}

/** A workspace gets the default types on its first use of cases (merchants must not depend on cases). */
export async function ensureDefaultCaseTypes(trx: Trx, merchantId: string, now: Date): Promise<void> {
  if ((await caseTypeStore.listCaseTypes(trx, merchantId, true)).length === 0)
    await seedDefaultCaseTypes(trx, merchantId, now)
}

export async function listCaseTypes(db: Db, merchantId: string, includeArchived = false): Promise<CaseType[]> {
  return (await caseTypeStore.listCaseTypes(db, merchantId, includeArchived)).map(toCaseType)
}

export async function getCaseType(db: Db, merchantId: string, key: string): Promise<CaseType> {
  const row = await caseTypeStore.findCaseType(db, merchantId, key)
  if (!row) throw new AppError('case_type_not_found', 'No such case type', { case_type: key })
  return toCaseType(row)
}

/** A type new cases may be opened with: known and not archived. */
export async function usableCaseType(trx: Trx, merchantId: string, key: string, now: Date): Promise<CaseType> {
  await ensureDefaultCaseTypes(trx, merchantId, now)
  const row = await caseTypeStore.findCaseType(trx, merchantId, key)
  if (!row) throw new AppError('case_type_not_found', 'No such case type', { case_type: key })
  if (row.archived_at) throw new AppError('case_type_archived', 'This case type is archived', { case_type: key })
  return toCaseType(row)
}

export type CaseTypeInput = {
  key: string
  label: string
  description?: string
  defaultPriority?: Priority
  customFields?: CustomFieldDef[]
  requiredEvidence?: string[]
  slaTier?: string | null
  templateKeys?: Record<string, string>
  template?: CaseTemplate
}

function checkDefinitions(defs: CustomFieldDef[]): void {
  const errors: { path: string; message: string }[] = []
  const seen = new Set<string>()
  defs.forEach((d, i) => {
    if (seen.has(d.key)) errors.push({ path: `custom_fields/${i}/key`, message: `${d.key} is defined twice` })
    seen.add(d.key)
    if (d.type === 'enum' && !d.options?.length)
      errors.push({ path: `custom_fields/${i}/options`, message: 'an enum field needs options' })
    if (d.type !== 'enum' && d.options)
      errors.push({ path: `custom_fields/${i}/options`, message: 'only enum fields have options' })
  })
  if (errors.length) throw new AppError('validation_failed', 'The custom field definitions are not valid', { errors })
}

const view = (t: CaseType) => ({
  key: t.key,
  label: t.label,
  description: t.description,
  default_priority: t.default_priority,
  custom_fields: t.custom_fields,
  required_evidence: t.required_evidence,
  sla_tier: t.sla_tier,
  template_keys: t.template_keys,
  template: t.template,
  archived: t.archived_at !== null,
})

export async function createCaseType(
  trx: Trx,
  ctx: ServiceContext,
  input: CaseTypeInput,
  now: Date,
): Promise<CaseType> {
  checkDefinitions(input.customFields ?? [])
  await ensureDefaultCaseTypes(trx, ctx.merchantId, now)
  if (await caseTypeStore.findCaseType(trx, ctx.merchantId, input.key))
    throw new AppError('case_type_exists', 'A case type with this key exists', { case_type: input.key })
  await caseTypeStore.insertCaseTypes(trx, [
    {
      merchant_id: ctx.merchantId,
      id: newId(),
      key: input.key,
      label: input.label,
      description: input.description ?? '',
      default_priority: input.defaultPriority ?? 'normal',
      custom_fields: JSON.stringify(input.customFields ?? []),
      required_evidence: input.requiredEvidence ?? [],
      sla_tier: input.slaTier ?? null,
      template_keys: JSON.stringify(input.templateKeys ?? {}),
      template: JSON.stringify(input.template ?? {}),
      archived_at: null,
      created_at: now,
      updated_at: now,
    },
  ])
  const created = await getCaseType(trx, ctx.merchantId, input.key)
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'case_type.created',
      entityType: 'case_type',
      entityId: created.id,
      after: view(created),
    },
    now,
  )
  return created
}

export async function updateCaseType(
  trx: Trx,
  ctx: ServiceContext,
  key: string,
  input: Partial<Omit<CaseTypeInput, 'key'>> & { archived?: boolean },
  now: Date,
): Promise<CaseType> {
  await ensureDefaultCaseTypes(trx, ctx.merchantId, now)
  const before = await caseTypeStore.lockCaseType(trx, ctx.merchantId, key)
  if (!before) throw new AppError('case_type_not_found', 'No such case type', { case_type: key })
  if (input.customFields) checkDefinitions(input.customFields)
  const after = await caseTypeStore.updateCaseType(trx, ctx.merchantId, key, {
    ...(input.label !== undefined ? { label: input.label } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.defaultPriority ? { default_priority: input.defaultPriority } : {}),
    ...(input.customFields ? { custom_fields: JSON.stringify(input.customFields) } : {}),
    ...(input.requiredEvidence ? { required_evidence: input.requiredEvidence } : {}),
    ...(input.slaTier !== undefined ? { sla_tier: input.slaTier } : {}),
    ...(input.templateKeys ? { template_keys: JSON.stringify(input.templateKeys) } : {}),
    ...(input.template ? { template: JSON.stringify(input.template) } : {}),
    ...(input.archived !== undefined ? { archived_at: input.archived ? (before.archived_at ?? now) : null } : {}),
    updated_at: now,
  })
  const action =
    input.archived === true && !before.archived_at
      ? 'case_type.archived'
      : input.archived === false && before.archived_at
        ? 'case_type.restored'
        : 'case_type.updated'
  await recordAuditFor(
    trx,
    ctx,
    {
      action,
      entityType: 'case_type',
      entityId: before.id,
      before: view(toCaseType(before)),
      after: view(toCaseType(after)),
    },
    now,
  )
  return toCaseType(after)
}

/** Types with cases are archived, never deleted; an unused custom type may go. */
export async function deleteCaseType(trx: Trx, ctx: ServiceContext, key: string, now: Date): Promise<void> {
  const row = await caseTypeStore.lockCaseType(trx, ctx.merchantId, key)
  if (!row) throw new AppError('case_type_not_found', 'No such case type', { case_type: key })
  const used = await caseStore.countCasesOfType(trx, ctx.merchantId, key)
  if (used > 0 || row.builtin)
    throw new AppError('case_type_in_use', 'This case type has cases or is built in; archive it instead', {
      case_type: key,
      cases: used,
    })
  await caseTypeStore.deleteCaseType(trx, ctx.merchantId, key)
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'case_type.deleted',
      entityType: 'case_type',
      entityId: row.id,
      before: view(toCaseType(row)),
    },
    now,
  )
}

/**
 * Checks values against a type's definitions: unknown keys, wrong types, enum options, required
 * fields (when `complete`). Money is { amount_minor, currency }, dates are YYYY-MM-DD.
 */
export function validateCustomFields(
  defs: CustomFieldDef[],
  values: Record<string, unknown>,
  complete: boolean,
): Record<string, unknown> {
  const errors: { path: string; message: string }[] = []
  const byKey = new Map(defs.map((d) => [d.key, d]))
  for (const [key, value] of Object.entries(values)) {
    const d = byKey.get(key)
    const path = `custom_fields/${key}`
    if (!d) {
      errors.push({ path, message: 'is not a field of this case type' })
      continue
    }
    if (value === null) continue
    const ok =
      d.type === 'text'
        ? typeof value === 'string' && value.length <= 2000
        : d.type === 'number'
          ? typeof value === 'number' && Number.isFinite(value)
          : d.type === 'boolean'
            ? typeof value === 'boolean'
            : d.type === 'date'
              ? typeof value === 'string' &&
                /^\d{4}-\d{2}-\d{2}$/.test(value) &&
                !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) &&
                new Date(`${value}T00:00:00Z`).toISOString().startsWith(value)
              : d.type === 'enum'
                ? typeof value === 'string' && (d.options ?? []).includes(value)
                : isMoney(value)
    if (!ok)
      errors.push({
        path,
        message: d.type === 'enum' ? `must be one of ${(d.options ?? []).join(', ')}` : `must be a ${d.type}`,
      })
  }
  if (complete) {
    for (const d of defs)
      if (d.required && (values[d.key] === undefined || values[d.key] === null))
        errors.push({ path: `custom_fields/${d.key}`, message: 'is required' })
  }
  if (errors.length) throw new AppError('custom_field_invalid', 'Some custom fields are not valid', { errors })
  return values
}

const isMoney = (v: unknown) =>
  typeof v === 'object' &&
  v !== null &&
  Object.keys(v).sort().join() === 'amount_minor,currency' &&
  Number.isSafeInteger((v as { amount_minor: unknown }).amount_minor) &&
  (v as { amount_minor: number }).amount_minor >= 0 &&
  typeof (v as { currency: unknown }).currency === 'string' &&
  /^[A-Z]{3}$/.test((v as { currency: string }).currency)
