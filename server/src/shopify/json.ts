// Shopify ids are 64-bit and JSON.parse rounds integers past 2^53 (820982911946154508 becomes
// …500). Before parsing, integer literals of 16 or more digits outside strings are quoted, so
// every such id arrives as its exact decimal string; shorter numbers stay numbers.

const longInteger = 16

/** JSON.parse, with long integer literals (16+ digits) kept exact as strings. */
export function parseShopifyJson(text: string): unknown {
  return JSON.parse(quoteLongIntegers(text))
}

function quoteLongIntegers(text: string): string {
  let out = ''
  let copied = 0
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (c === '"') {
      i++
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1
      i++
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      const start = i
      while (i < text.length && /[-+.\deE]/.test(text[i]!)) i++
      const token = text.slice(start, i)
      if (/^-?\d+$/.test(token) && token.replace('-', '').length >= longInteger) {
        out += `${text.slice(copied, start)}"${token}"`
        copied = i
      }
    } else i++
  }
  return out + text.slice(copied)
}

/** An id as its decimal string, whichever way the JSON carried it; null when absent. */
export function idOf(value: unknown): string | null {
  if (typeof value === 'string' && value !== '') return value
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value)
  return null
}
