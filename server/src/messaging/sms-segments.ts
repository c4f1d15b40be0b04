// How an SMS text goes over the air: GSM-7 when every character is in the GSM 03.38 default alphabet or its
// extension table (an extension character takes two septets: ESC and itself), else UCS-2 (UTF-16 code units; a
// character outside the BMP takes two). One segment holds 160 septets or 70 units; a concatenated message's
// segments give 7 septets (3 units) each to the header: 153 and 67. A character is never split across segments.
// No imports: the composer in web/ counts with the same function as the server.

export type SmsEncoding = 'GSM-7' | 'UCS-2'
export type SmsSegments = {
  encoding: SmsEncoding
  segments: number
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the text takes. */
  units: number
  /** What one segment holds at this length: 160/153 septets or 70/67 units. */
  perSegment: number
  /** Left in the last segment before another begins. */
  remaining: number
}

const gsmBasic =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿' +
  'abcdefghijklmnopqrstuvwxyzäöñüà'
const gsmExtension = '\f^{}\\[~]|€'
const basic = new Set(gsmBasic)
const extension = new Set(gsmExtension)

/** Septets a character takes in GSM-7, or 0 when it is not in the alphabet. */
const septets = (ch: string) => (basic.has(ch) ? 1 : extension.has(ch) ? 2 : 0)

export function smsSegments(text: string): SmsSegments {
  const chars = [...text]
  const gsm = chars.every((ch) => septets(ch) > 0)
  const widths = gsm ? chars.map(septets) : chars.map((ch) => ch.length)
  const [single, multi] = gsm ? [160, 153] : [70, 67]
  const units = widths.reduce((a, b) => a + b, 0)
  const encoding: SmsEncoding = gsm ? 'GSM-7' : 'UCS-2'
  if (units <= single) return { encoding, segments: 1, units, perSegment: single, remaining: single - units }
  let segments = 1
  let used = 0
  for (const w of widths) {
    if (used + w > multi) {
      segments++
      used = 0
    }
    used += w
  }
  return { encoding, segments, units, perSegment: multi, remaining: multi - used }
}
