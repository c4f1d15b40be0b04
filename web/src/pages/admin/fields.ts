import type { CaseType } from '../../api/types'

export type FieldDef = CaseType['custom_fields'][number]
export type FieldType = FieldDef['type']

export const fieldTypeLabels: Record<FieldType, string> = {
  text: 'Text',
  number: 'Number',
  money: 'Money',
  date: 'Date',
  enum: 'Choice from a list',
  boolean: 'Yes / no',
}

/** One custom field as the editor holds it; `saved` fields keep their key, since cases store values under it. */
export type FieldRow = {
  key: string
  label: string
  type: FieldType
  required: boolean
  options: string[]
  saved: boolean
}

// The API's key pattern for case types, custom fields and evidence.
const keyPattern = /^[a-z][a-z0-9_]{0,39}$/

/** "Carrier claim ref." → "carrier_claim_ref", a key the API accepts (or '' when nothing is left). */
export function keyFrom(label: string): string {
  const key = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+/, '')
  return key.slice(0, 40).replace(/_+$/, '')
}

export const toFieldRows = (defs: FieldDef[]): FieldRow[] =>
  defs.map((d) => ({
    key: d.key,
    label: d.label,
    type: d.type,
    required: d.required ?? false,
    options: d.options ?? [],
    saved: true,
  }))

export const newFieldRow = (): FieldRow => ({
  key: '',
  label: '',
  type: 'text',
  required: false,
  options: [],
  saved: false,
})

/**
 * The definitions to send, or the errors to show first, keyed as the API's field errors are
 * (`custom_fields.2.options`). A blank key is taken from the label.
 */
export function toFieldDefs(rows: FieldRow[]): { defs: FieldDef[]; errors: Record<string, string> } {
  const errors: Record<string, string> = {}
  const seen = new Set<string>()
  const defs = rows.map((r, i): FieldDef => {
    const at = `custom_fields.${i}`
    const label = r.label.trim()
    const key = r.key.trim() || keyFrom(label)
    if (!label) errors[`${at}.label`] = 'Give the field a label'
    else if (label.length > 100) errors[`${at}.label`] = 'At most 100 characters'
    if (!keyPattern.test(key)) errors[`${at}.key`] = 'Lower-case letters, digits and _, starting with a letter'
    else if (seen.has(key)) errors[`${at}.key`] = `${key} is used by another field`
    seen.add(key)
    const options = [...new Set(r.options.map((o) => o.trim()).filter(Boolean))]
    if (r.type === 'enum' && !options.length) errors[`${at}.options`] = 'A choice needs at least one option'
    else if (options.some((o) => o.length > 100)) errors[`${at}.options`] = 'Options are at most 100 characters'
    // The API refuses options on any type but enum, so they are dropped when the type changes.
    return {
      key,
      label,
      type: r.type,
      ...(r.required ? { required: true } : {}),
      ...(r.type === 'enum' ? { options } : {}),
    }
  })
  return { defs, errors }
}

/** Evidence keys that do not fit the API's key pattern, keyed like its field errors. */
export function evidenceErrors(keys: string[]): Record<string, string> {
  const bad = keys.findIndex((k) => !keyPattern.test(k))
  return bad < 0
    ? {}
    : { [`required_evidence.${bad}`]: `${keys[bad]}: lower-case letters, digits and _, starting with a letter` }
}
