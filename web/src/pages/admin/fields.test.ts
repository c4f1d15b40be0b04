import { describe, expect, it } from 'vitest'
import { evidenceErrors, keyFrom, newFieldRow, toFieldDefs, toFieldRows, type FieldRow } from './fields'

const row = (r: Partial<FieldRow>): FieldRow => ({ ...newFieldRow(), ...r })

describe('keyFrom', () => {
  it('turns a label into a key the API accepts', () => {
    expect(keyFrom('Carrier claim ref.')).toBe('carrier_claim_ref')
    expect(keyFrom('  Crème brûlée  ')).toBe('creme_brulee')
    expect(keyFrom('2nd attempt')).toBe('nd_attempt')
    expect(keyFrom('!!!')).toBe('')
    expect(keyFrom(`${'x'.repeat(30)} ${'y'.repeat(30)}`)).toHaveLength(40)
  })
})

describe('toFieldDefs', () => {
  it('round-trips the definitions the API sent', () => {
    const defs = [
      { key: 'damage_severity', label: 'Damage severity', type: 'enum' as const, options: ['cosmetic', 'unusable'] },
      { key: 'claim_deadline', label: 'Claim deadline', type: 'date' as const, required: true },
    ]
    expect(toFieldDefs(toFieldRows(defs))).toEqual({ defs, errors: {} })
  })

  it('takes a blank key from the label and sends required only when set', () => {
    expect(toFieldDefs([row({ label: 'Serial number' })]).defs).toEqual([
      { key: 'serial_number', label: 'Serial number', type: 'text' },
    ])
  })

  it('drops options from fields that are no longer a choice, and trims and dedupes them on choices', () => {
    const { defs } = toFieldDefs([
      row({ key: 'a', label: 'A', type: 'number', options: ['x'] }),
      row({ key: 'b', label: 'B', type: 'enum', options: [' x ', 'x', '', 'y'] }),
    ])
    expect(defs).toEqual([
      { key: 'a', label: 'A', type: 'number' },
      { key: 'b', label: 'B', type: 'enum', options: ['x', 'y'] },
    ])
  })

  it('reports errors at the paths the API uses', () => {
    const { errors } = toFieldDefs([
      row({ key: 'same', label: 'One' }),
      row({ key: 'same', label: 'Two' }),
      row({ key: 'Bad-Key', label: '' }),
      row({ key: 'choice', label: 'Choice', type: 'enum' }),
    ])
    expect(Object.keys(errors).sort()).toEqual([
      'custom_fields.1.key',
      'custom_fields.2.key',
      'custom_fields.2.label',
      'custom_fields.3.options',
    ])
  })
})

describe('evidenceErrors', () => {
  it('names the first evidence key the API would refuse', () => {
    expect(evidenceErrors(['invoice', 'proof_of_postage'])).toEqual({})
    expect(Object.keys(evidenceErrors(['invoice', 'Photo of box']))).toEqual(['required_evidence.1'])
  })
})
