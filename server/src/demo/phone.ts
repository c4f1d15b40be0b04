import { systemContext } from '../auth/actor.js'
import type { Case } from '../cases/types.js'
import type { AppContext } from '../context.js'
import { findPhoneConsent, recordImpliedPhoneConsent } from '../customers/service.js'
import { type NewMessage, recordMessage } from '../messaging/service.js'
import { demoProvider } from './conversation.js'
import { as } from './plan-case.js'
import type { Staff } from './staff.js'

const minute = 60_000
// The demo's sending number (Ofcom's drama range): history only, nothing goes to Twilio.
const shopNumber = '+447700900100'

type Line = { from: 'customer' | 'agent'; text: string; after: number }

const smsThread: Line[] = [
  {
    from: 'agent',
    after: 0,
    text: 'Northwind Outfitters: your order is held at customs. We are on it - update within 48 hours.',
  },
  { from: 'customer', after: 25, text: 'Thanks. Do you need anything from me? I can send my ID if that helps.' },
  {
    from: 'agent',
    after: 40,
    text: 'No need, thank you - we sent the commercial invoice to the carrier this morning. We will text you once it clears.',
  },
]

const whatsappThread: Line[] = [
  { from: 'customer', after: 0, text: 'Hi, the tracking has not moved for 5 days. Is my parcel lost?' },
  {
    from: 'agent',
    after: 12,
    text: 'Hi! Sorry about the wait. We have asked the carrier to trace it and will update you by tomorrow evening at the latest.',
  },
  { from: 'customer', after: 30, text: 'Great, thank you 🙏' },
]

/**
 * Two open cases whose customers write by phone: an SMS exchange about a customs hold and a WhatsApp one about a
 * parcel that stopped moving, delivered and read, so the console shows the channels beside email. History only:
 * recorded as sent by the demo provider, never through Twilio.
 */
export async function seedPhoneConversations(
  ctx: AppContext,
  merchantId: string,
  staff: Staff,
  cases: Case[],
  now: Date,
): Promise<number> {
  const open = cases.filter(
    (c) => c.customer_id && c.assignee_id && (c.status === 'open' || c.status === 'waiting_carrier'),
  )
  const sms = open.find((c) => c.case_type === 'customs_hold') ?? open[0]
  const whatsapp = open.find((c) => c !== sms && c.case_type === 'lost_parcel') ?? open.find((c) => c !== sms)
  let recorded = 0
  for (const [c, channel, thread] of [
    [sms, 'sms', smsThread],
    [whatsapp, 'whatsapp', whatsappThread],
  ] as const) {
    if (!c) continue
    recorded += await ctx.db.transaction().execute(async (trx) => {
      const consent = await findPhoneConsent(trx, merchantId, c.customer_id!)
      if (!consent?.phone) return 0
      const agent = [...staff.agents, staff.logisticsLead, staff.manager].find((p) => p.id === c.assignee_id)
      const start = Math.max(c.created_at.getTime() + 10 * minute, now.getTime() - 20 * 60 * minute)
      const customer = consent.phone
      for (const [i, line] of thread.entries()) {
        const at = new Date(Math.min(start + line.after * minute, now.getTime() - (thread.length - i) * minute))
        const mine = line.from === 'agent'
        const base: NewMessage = {
          caseId: c.id,
          direction: mine ? 'out' : 'in',
          channel,
          visibility: 'public',
          status: mine ? (channel === 'whatsapp' ? 'read' : 'delivered') : 'received',
          authorType: mine ? (agent ? 'agent' : 'system') : 'customer',
          authorId: mine ? (agent?.id ?? null) : null,
          from: { address: mine ? shopNumber : customer },
          to: [{ address: mine ? customer : shopNumber }],
          cc: [],
          subject: '',
          text: line.text,
          provider: demoProvider,
        }
        await recordMessage(trx, mine && agent ? as(merchantId, agent) : systemContext(merchantId, channel), base, at)
        if (!mine) await recordImpliedPhoneConsent(trx, systemContext(merchantId, channel), c.customer_id!, channel, at)
      }
      return thread.length
    })
  }
  return recorded
}
