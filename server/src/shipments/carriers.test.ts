import { describe, expect, it } from 'vitest'
import { resolveCarrier } from './carriers.js'

describe('carrier names', () => {
  it('maps free-text carrier names to known codes and keeps unknown ones, flagged', () => {
    expect(resolveCarrier('Royal Mail')).toEqual({ code: 'royal_mail', name: 'Royal Mail', known: true })
    expect(resolveCarrier('  HERMES uk ')).toEqual({ code: 'evri', name: 'HERMES uk', known: true })
    expect(resolveCarrier('dhl_express')).toMatchObject({ code: 'dhl_express', known: true })
    expect(resolveCarrier("Bob's Vans")).toEqual({ code: null, name: "Bob's Vans", known: false })
  })
})
