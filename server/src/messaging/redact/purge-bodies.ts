import { redactNotifications, redactTimelineEntries, type TimelineRewrite } from '../../cases/service.js'
import type { Purger } from '../../modules.js'
import * as messageStore from '../store.js'
import * as store from './store.js'

export const purgedText = '[removed by the retention policy]'

/**
 * The message_bodies retention policy: a message past its time loses its text (subject kept, body to the marker,
 * HTML, quoted history and template variables gone) and its raw copy (.eml, which holds the text); its addresses,
 * status, times and attachments stay. Its timeline entry and the notifications quoting it are rewritten and the
 * case's search rebuilt, so none of them keeps the words. Messages on cases a legal hold keeps, or not old enough,
 * are left whole.
 */
export const messageBodiesPurger: Purger = {
  kind: 'message_bodies',
  purge: async (ctx, batch) => {
    const { merchantId, cutoff, limit, cursor, dryRun, now } = batch
    const files: string[] = []
    const result = await ctx.db.transaction().execute(async (trx) => {
      const rows = await store.lockMessagesToPurge(trx, merchantId, { before: cutoff, after: cursor, limit })
      const verdicts = await batch.judgeCases(trx, [...new Set(rows.map((r) => r.case_id))])
      const due = rows.filter((r) => verdicts.get(r.case_id) === 'purge')
      const held = rows.filter((r) => verdicts.get(r.case_id) === 'held').length
      const next = rows.length < limit ? null : rows[rows.length - 1]!.id
      if (dryRun || !due.length) return { removed: due.map((r) => r.id), held, cursor: next }
      const rewrites: TimelineRewrite[] = []
      for (const row of due) {
        await messageStore.updateMessage(trx, merchantId, row.id, {
          text_body: purgedText,
          reply_text: null,
          quoted_text: null,
          html_body: null,
          content_variables: row.content_variables && JSON.stringify({}),
          raw_blob_key: null,
          raw_in_db: false,
          body_purged_at: now,
          updated_at: now,
        })
        if (row.raw_blob_key) files.push(row.raw_blob_key)
        // As recordMessage wrote the entry, from the message as it now reads.
        rewrites.push({
          caseId: row.case_id,
          dedupKey: `message:${row.id}`,
          text: `${row.subject}\n${purgedText}`,
          data: { excerpt: purgedText, purged: true },
        })
      }
      await store.deleteRawEmails(
        trx,
        merchantId,
        due.map((r) => r.id),
      )
      await redactTimelineEntries(trx, merchantId, 'message', rewrites)
      // The in-app notifications that quoted them (a customer's reply, a third party's answer).
      const quoted = due.filter((r) => r.direction === 'in')
      await redactNotifications(
        trx,
        merchantId,
        quoted.flatMap((r) => [
          `${r.case_id}:customer_replied:${r.id}`,
          `${r.case_id}:side_conversation_answered:${r.id}`,
        ]),
        purgedText,
      )
      return { removed: due.map((r) => r.id), held, cursor: next }
    })
    // After commit: should deleting fail, the rows no longer point at the files (a stray file, never a lost row).
    for (const key of files) await ctx.blobs.delete(key)
    return result
  },
}
