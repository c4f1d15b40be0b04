import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonicalEntry, canonicalJson, chainHash, zeroHash, type ChainedEntry } from './canonical.js'

const entry: ChainedEntry = {
  merchant_id: '01930000-0000-7000-8000-000000000001',
  id: '01930000-0000-7000-8000-0000000000aa',
  occurred_at: new Date('2026-03-01T10:20:30.456Z'),
  actor_type: 'user',
  actor_id: 'u1',
  action: 'team.updated',
  entity_type: 'team',
  entity_id: 't1',
  changes: { name: { from: 'A', to: 'B' }, email: { from_hash: 'ab', to_hash: null } },
  request_id: null,
}

describe('canonical JSON', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    )
  })

  it('writes instants as ISO 8601 UTC with milliseconds, whatever the zone they were made in', () => {
    expect(canonicalJson({ at: new Date('2026-03-01T11:20:30+01:00') })).toBe('{"at":"2026-03-01T10:20:30.000Z"}')
  })

  it('sorts keys by UTF-16 code unit and escapes strings as JSON.stringify does (RFC 8785)', () => {
    expect(canonicalJson({ é: 1, Z: 2, a: 3, '\u2028': 'line\nbreak "q"' })).toBe(
      '{"Z":2,"a":3,"é":1,"\u2028":"line\\nbreak \\"q\\""}',
    )
  })

  it('refuses values JSON cannot hold', () => {
    expect(() => canonicalJson(Number.NaN)).toThrow(/no JSON form/)
    expect(() => canonicalJson(10n)).toThrow(/bigint has no JSON form/)
    expect(() => canonicalJson(undefined)).toThrow(/undefined has no JSON form/)
  })

  it('is the same for the same value however its keys were ordered (fast-check)', () => {
    const seed = Number(process.env.FC_SEED ?? 20261123)
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const json = canonicalJson(value)
        expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(value)))
        const reversed = JSON.parse(JSON.stringify(value), (_k, v: unknown) =>
          v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
        )
        expect(canonicalJson(reversed)).toBe(json)
      }),
      { seed, numRuns: Number(process.env.FC_RUNS ?? 2000) },
    )
  })
})

describe('chain hash', () => {
  it('covers every stored column and the seq, and nothing else', () => {
    expect(canonicalEntry(entry, 7)).toBe(
      '{"action":"team.updated","actor_id":"u1","actor_type":"user","changes":{"email":{"from_hash":"ab","to_hash":null},"name":{"from":"A","to":"B"}},' +
        '"entity_id":"t1","entity_type":"team","id":"01930000-0000-7000-8000-0000000000aa","merchant_id":"01930000-0000-7000-8000-000000000001",' +
        '"occurred_at":"2026-03-01T10:20:30.456Z","request_id":null,"seq":7}',
    )
  })

  it('is sha256(prev_hash || canonical entry)', () => {
    const expected = createHash('sha256')
      .update(Buffer.concat([zeroHash, Buffer.from(canonicalEntry(entry, 1))]))
      .digest()
    expect(chainHash(zeroHash, entry, 1)).toEqual(expected)
  })

  it('changes with the seq, the previous hash and any field', () => {
    const base = chainHash(zeroHash, entry, 1).toString('hex')
    expect(chainHash(zeroHash, entry, 2).toString('hex')).not.toBe(base)
    expect(chainHash(Buffer.alloc(32, 1), entry, 1).toString('hex')).not.toBe(base)
    expect(chainHash(zeroHash, { ...entry, request_id: 'r' }, 1).toString('hex')).not.toBe(base)
    expect(
      chainHash(zeroHash, { ...entry, occurred_at: new Date(entry.occurred_at.getTime() + 1) }, 1).toString('hex'),
    ).not.toBe(base)
  })
})
