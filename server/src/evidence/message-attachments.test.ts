import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { startTestApp } from '../../test/harness.js'
import { runDueJobs } from '../../test/jobs.js'
import { systemContext } from '../auth/actor.js'
import { openCase } from '../cases/service.js'
import { recordMessage } from '../messaging/service.js'
import { modules } from '../registry.js'
import { zip, pdf, photoJpeg } from './testing.js'

const { env, m, call } = await startTestApp()
const db = env.ctx.db
const ctx = systemContext(m.id)

async function stored(data: Buffer) {
  return env.ctx.blobs.put(Readable.from([data]), { merchantId: m.id, maxBytes: 10_000_000 })
}

describe("a customer's attachments as evidence candidates", () => {
  it('turns the photos and PDFs of an inbound message into candidates an agent classifies in one click', async () => {
    const kase = await db
      .transaction()
      .execute((trx) => openCase(trx, ctx, { caseType: 'damaged', subject: 'Broken lamp' }, new Date()))
    const [photo, doc, archive, logo] = await Promise.all([
      stored(await photoJpeg()),
      stored(await pdf()),
      stored(await zip({ 'a.txt': 'x' })),
      stored(await photoJpeg(16, 16)),
    ])
    const attachment = (b: typeof photo, fileName: string, contentId: string | null = null) => ({
      fileName,
      contentType: b.contentType,
      sizeBytes: b.sizeBytes,
      blobKey: b.key,
      contentId,
    })
    await db.transaction().execute((trx) =>
      recordMessage(
        trx,
        ctx,
        {
          caseId: kase.id,
          direction: 'in',
          channel: 'email',
          visibility: 'public',
          status: 'received',
          authorType: 'customer',
          from: { address: 'sam@example.com' },
          to: [{ address: 'support@example.com' }],
          cc: [],
          subject: 'Photos',
          text: 'Here are the photos and the receipt',
          attachments: [
            attachment(photo, 'lamp.jpg'),
            attachment(doc, 'receipt.pdf'),
            attachment(archive, 'more.zip'),
            attachment(logo, 'logo.jpg', 'logo@mail'),
          ],
        },
        new Date(),
      ),
    )
    await runDueJobs(env.ctx, modules)
    await runDueJobs(env.ctx, modules)
    const items = (await call('GET', `/cases/${kase.id}/evidence`)).json().data
    expect(items.map((i: { original_name: string }) => i.original_name)).toEqual(['lamp.jpg', 'receipt.pdf'])
    for (const i of items)
      expect(i).toMatchObject({
        status: 'candidate',
        type_key: 'other',
        source: 'message_attachment',
        uploader_kind: 'customer',
      })
    const count = async () =>
      (await db.selectFrom('cases').select('evidence_count').where('id', '=', kase.id).executeTakeFirstOrThrow())
        .evidence_count
    expect(await count()).toBe(0)

    const classified = await call('PATCH', `/evidence/${items[0].id}`, { type_key: 'damage_photo' }, 'agent')
    expect(classified.json()).toMatchObject({ status: 'active', type_key: 'damage_photo' })
    expect(await count()).toBe(1)
    const timeline = await db.selectFrom('case_timeline').select('type').where('case_id', '=', kase.id).execute()
    expect(timeline.map((t) => t.type)).toContain('evidence_classified')
  })
})
