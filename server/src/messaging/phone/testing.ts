import type { Kysely } from 'kysely'
import { type ServiceContext, systemContext } from '../../auth/actor.js'
import { openCase } from '../../cases/service.js'
import { upsertCustomer } from '../../customers/service.js'
import type { Database } from '../../db/schema.js'
import { recordMessage } from '../service/record-message.js'

// Test setup shared by the phone channel's test files: customers with phones on their own cases, and their messages.

/**
 * Makes cases whose customers have phones (numbers under `prefix`, one per call) and these consents, default SMS
 * and WhatsApp.
 */
export function phoneCases(db: Kysely<Database>, merchantId: string, prefix: string) {
  const sys = systemContext(merchantId)
  let n = 0
  return (o: { sms?: boolean; whatsapp?: boolean; email?: string; timeZone?: string } = {}) => {
    const phone = `${prefix}${String(10_000 + ++n).slice(-5)}`
    return db.transaction().execute(async (trx) => {
      const { customer } = await upsertCustomer(
        trx,
        sys,
        {
          source: 'api',
          name: 'Jane Doe',
          phone,
          email: o.email ?? null,
          timeZone: o.timeZone ?? 'Europe/London',
          consent: { sms: o.sms ?? true, whatsapp: o.whatsapp ?? true, email: true },
        },
        new Date(),
      )
      const c = await openCase(trx, sys, { caseType: 'other', customerId: customer.id }, new Date())
      return { caseId: c.id, customerId: customer.id, phone }
    })
  }
}

/** The customer writes on WhatsApp to the workspace's sender: it opens the 24-hour window from `at`. */
export const customerWroteOnWhatsapp = (
  db: Kysely<Database>,
  ctx: ServiceContext,
  c: { caseId: string; phone: string },
  sender: string,
  at: Date,
) =>
  db.transaction().execute((trx) =>
    recordMessage(
      trx,
      ctx,
      {
        caseId: c.caseId,
        direction: 'in',
        channel: 'whatsapp',
        visibility: 'public',
        status: 'received',
        authorType: 'customer',
        from: { address: `whatsapp:${c.phone}` },
        to: [{ address: `whatsapp:${sender}` }],
        cc: [],
        subject: '',
        text: 'Where is it?',
      },
      at,
    ),
  )
