import { readFileSync, readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { idOf, parseShopifyJson } from './json.js'

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')

describe('parseShopifyJson', () => {
  it('keeps 64-bit ids exact, where JSON.parse rounds them', () => {
    const text = fixture('orders-create.json')
    expect((JSON.parse(text) as { id: number }).id).toBe(820982911946154500)
    const order = parseShopifyJson(text) as {
      id: string
      customer: { id: string }
      line_items: { id: string }[]
      number: number
      total_weight: number
    }
    expect(order.id).toBe('820982911946154508')
    expect(order.customer.id).toBe('115310627314723954')
    expect(order.line_items.map((l) => l.id)).toEqual([
      '487817672276298554',
      '789012345678901234',
      '890123456789012345',
      '976318377106520349',
      '315789986012684393',
    ])
    expect(order.number).toBe(234) // short numbers stay numbers
    expect(order.total_weight).toBe(0)
  })

  it('parses every fixture to the same structure as JSON.parse, apart from the quoted long integers', () => {
    const jsonFiles = readdirSync(new URL('./fixtures/', import.meta.url)).filter((f) => f.endsWith('.json'))
    const unquote = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(unquote)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unquote(x)]))
          : typeof v === 'string' && /^-?\d{16,}$/.test(v)
            ? Number(v)
            : v
    for (const name of jsonFiles) {
      const text = fixture(name)
      expect(unquote(parseShopifyJson(text)), name).toEqual(JSON.parse(text))
    }
  })

  it('leaves numbers inside strings, decimals, exponents and negative ids alone or exact', () => {
    const text =
      '{"note":"call 12345678901234567, ok]","a":[1234567890123456789,-9223372036854775808],"f":12345678901234567.5,"e":1e20,"s":42}'
    expect(parseShopifyJson(text)).toEqual({
      note: 'call 12345678901234567, ok]',
      a: ['1234567890123456789', '-9223372036854775808'],
      // biome-ignore lint/correctness/noPrecisionLoss: the float is the case under test
      f: 12345678901234567.5,
      e: 1e20,
      s: 42,
    })
    expect(parseShopifyJson('{"q":"a \\" 12345678901234567 \\\\","n":12345678901234567}')).toEqual({
      q: 'a " 12345678901234567 \\',
      n: '12345678901234567',
    })
  })

  it('refuses what JSON.parse refuses', () => {
    expect(() => parseShopifyJson('{"id": 1234567890123456789')).toThrow(SyntaxError)
  })
})

describe('idOf', () => {
  it('reads ids carried as strings or safe integers, and nothing else', () => {
    expect(idOf('820982911946154508')).toBe('820982911946154508')
    expect(idOf(123456)).toBe('123456')
    expect([idOf(null), idOf(undefined), idOf(''), idOf(1.5), idOf(2 ** 60)]).toEqual([null, null, null, null, null])
  })
})
