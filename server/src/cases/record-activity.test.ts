import type { Transaction } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createTestMerchant, startTestEnv } from '../../test/harness.js'
import { systemContext } from '../auth/actor.js'
import type { Database } from '../db/schema.js'
import { AppError } from '../errors.js'
import { openCase, recordCaseActivity } from './service.js'

const env = await startTestEnv()
const m = await createTestMerchant(env.ctx)
const ctx = systemContext(m.id, 'test')
const at = new Date('2026-12-01T10:00:00Z')

const inTrx = <T>(work: (trx: Transaction<Database>) => Promise<T>) => env.ctx.db.transaction().execute(work)

async function facts(caseId: string) {
  const [events, audits, entries] = await Promise.all([
    env.ctx.db.selectFrom('outbox').select(['type', 'data']).where('subject_id', '=', caseId).orderBy('id').execute(),
    env.ctx.db.selectFrom('audit_entries').select('action').where('entity_id', '=', caseId).execute(),
    env.ctx.db
      .selectFrom('case_timeline')
      .select(['type', 'visibility'])
      .where('case_id', '=', caseId)
      .orderBy('id')
      .execute(),
  ])
  return { events, audits: audits.map((a) => a.action), entries }
}

describe('recordCaseActivity', () => {
  it('writes the row, audit, timeline with visibility and events together; values equal to the row are no change', async () => {
    const c = await inTrx((trx) => openCase(trx, ctx, { caseType: 'other', subject: 'Activity' }, at))
    const before = await facts(c.id)
    const moved = await inTrx((trx) =>
      recordCaseActivity(
        trx,
        ctx,
        c.id,
        {
          action: 'test.moved',
          patch: { status: 'waiting_customer', first_response_at: at, tags: ['b', 'a'] },
          timeline: [{ type: 'note', data: { body: 'public words' }, text: 'public words', visibility: 'public' }],
        },
        at,
      ),
    )
    expect([moved.status, moved.first_response_at, moved.tags]).toEqual(['waiting_customer', at, ['a', 'b']])
    const after = await facts(c.id)
    expect(after.audits.length).toBe(before.audits.length + 1)
    expect(after.entries.slice(before.entries.length)).toEqual([
      { type: 'status_changed', visibility: 'internal' },
      { type: 'note', visibility: 'public' },
    ])
    expect(after.events.slice(before.events.length).map((e) => e.type)).toEqual(['case.updated'])

    // The same values again, a later first response: nothing changes, so no audit and no case.updated.
    await inTrx((trx) =>
      recordCaseActivity(
        trx,
        ctx,
        c.id,
        {
          action: 'test.again',
          patch: { status: 'waiting_customer', first_response_at: new Date('2026-12-02T00:00:00Z'), tags: ['a', 'b'] },
          timeline: [{ type: 'note', data: { body: 'x' }, text: 'x' }],
        },
        at,
      ),
    )
    const again = await facts(c.id)
    expect(again.audits).toEqual(after.audits)
    expect(again.events).toEqual(after.events)
    expect(again.entries.slice(after.entries.length)).toEqual([{ type: 'note', visibility: 'internal' }])
  })

  it('refuses to resolve or reopen through it, writing nothing', async () => {
    const c = await inTrx((trx) => openCase(trx, ctx, { caseType: 'other', subject: 'Refusal' }, at))
    const before = await facts(c.id)
    const refused = await inTrx((trx) =>
      recordCaseActivity(trx, ctx, c.id, { action: 'test.resolve', patch: { status: 'resolved' } }, at),
    ).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(AppError)
    expect((refused as AppError).code).toBe('case_transition_invalid')
    expect(await facts(c.id)).toEqual(before)
  })
})
