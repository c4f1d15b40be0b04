import type { Case } from '../cases/types.js'
import type { AppContext } from '../context.js'
import { systemContext } from '../auth/actor.js'
import { openSideConversation, receiveSideReply } from '../messaging/side/service.js'
import { mailSetupOf } from '../messaging/service.js'
import { listTemplates } from '../messaging/templates/service.js'
import { demoProvider } from './conversation.js'
import { as } from './plan-case.js'
import type { Staff } from './staff.js'

const hour = 3_600_000

/**
 * One open parcel case whose agent asked the carrier's claims desk (the carrier template, rendered for the case)
 * and got an answer, so its header shows "1 side conversation · 1 answered". The agent's email is history, never
 * mailed: it is recorded as not sent whatever SMTP_URL says.
 */
export async function seedSideConversation(
  ctx: AppContext,
  merchantId: string,
  staff: Staff,
  cases: Case[],
  now: Date,
): Promise<string | null> {
  const c =
    cases.find((x) => x.status === 'waiting_carrier' && x.shipment_id && x.assignee_id) ??
    cases.find((x) => (x.status === 'open' || x.status === 'waiting_carrier') && x.shipment_id && x.assignee_id)
  if (!c) return null
  const agent =
    [...staff.agents, staff.logisticsLead, staff.manager].find((p) => p.id === c.assignee_id) ?? staff.agents[0]!
  const carrier = c.carrier_name ?? 'Carrier'
  const claims = `claims@${(c.carrier_code ?? 'carrier').toLowerCase().replace(/[^a-z0-9]/g, '')}.example`
  // A day ago, or soon after the case opened; the carrier answers halfway to now.
  const asked = new Date(
    Math.min(Math.max(c.created_at.getTime() + hour / 2, now.getTime() - 26 * hour), now.getTime() - hour),
  )
  const answered = new Date((asked.getTime() + now.getTime()) / 2)
  return ctx.db.transaction().execute(async (trx) => {
    const [template] = await listTemplates(trx, merchantId, { purpose: 'carrier_inquiry', channel: 'email' }, asked)
    if (!template) return null
    const templateId = template.id
    const { sideConversation, message } = await openSideConversation(
      trx,
      as(merchantId, agent),
      c.id,
      {
        counterpartyKind: 'carrier',
        counterpartyName: `${carrier} claims desk`,
        to: [{ address: claims }],
        templateId,
      },
      { mail: { ...mailSetupOf(ctx.config), configured: false }, render: ctx },
      asked,
    )
    await receiveSideReply(
      trx,
      systemContext(merchantId, 'email'),
      sideConversation.id,
      {
        direction: 'in',
        channel: 'email',
        status: 'received',
        from: { address: claims, name: `${carrier} Claims` },
        to: [],
        cc: [],
        subject: `Re: ${sideConversation.subject}`,
        text:
          'Hello,\n\nThank you for your inquiry. We have opened investigation INV-20418 for this parcel. Our ' +
          'depot scan shows it was missorted; we expect to locate it or confirm the loss within 3 working days. ' +
          'If it is lost, please file a claim with the commercial invoice attached.\n\nKind regards,\nClaims desk',
        inReplyTo: message.message_id_header,
        references: message.message_id_header ? [message.message_id_header] : [],
        messageIdHeader: `inv-20418.${c.id.slice(-12)}@${claims.split('@')[1]}`,
        provider: demoProvider,
      },
      answered,
    )
    return sideConversation.id
  })
}
