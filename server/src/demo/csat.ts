import { answerSurvey, markSurveySent, openSurvey, surveyToken } from '../csat/service.js'
import type { Case } from '../cases/types.js'
import type { AppContext } from '../context.js'

// Northwind's customers answer about three in four surveys, mostly happy; the low ones carry a comment.
const scores = [5, 4, 5, 4, 3, 5, 2, 4, 5, 4, 1, 5, 4, 3, 5, 4]
const comments: Record<number, string> = {
  1: 'Took three emails before anyone looked at the tracking.',
  2: 'Sorted in the end, but the refund took over a week.',
  5: 'Quick and friendly, thank you!',
}
const hour = 3_600_000
const wanted = 32

/**
 * A few dozen surveys about Northwind's resolved cases, opened when each was resolved and most answered within a day,
 * spread across case types, carriers, agents and weeks so the CSAT card and stats have something to show. They are
 * recorded as sent without rendering an email each (most of a survey's cost): one transaction, well under a second.
 */
export async function seedDemoSurveys(
  ctx: AppContext,
  merchantId: string,
  cases: Case[],
  now: Date,
): Promise<{ sent: number; answered: number }> {
  const resolved = cases
    .filter(
      (c) =>
        (c.status === 'resolved' || c.status === 'closed') &&
        c.resolved_at &&
        c.customer_id &&
        !c.merged_into_id &&
        c.resolution_code !== 'duplicate',
    )
    .sort((a, b) => a.resolved_at!.getTime() - b.resolved_at!.getTime())
  // Every k-th resolution: the spread of the history, not its last days.
  const step = Math.max(1, Math.floor(resolved.length / wanted))
  const picked = resolved.filter((_, i) => i % step === 0).slice(0, wanted)
  return ctx.db.transaction().execute(async (trx) => {
    let sent = 0
    let answered = 0
    for (const [i, c] of picked.entries()) {
      const at = c.resolved_at!
      const survey = await openSurvey(trx, ctx, merchantId, c.id, c.reopen_count, at)
      if (!survey) continue
      await markSurveySent(trx, merchantId, survey.id, null, at)
      sent++
      const answeredAt = new Date(at.getTime() + (1 + (i % 20)) * hour)
      if (i % 4 === 3 || answeredAt >= now) continue
      const score = scores[i % scores.length]!
      const token = surveyToken(ctx.keys.links, survey, at)
      await answerSurvey(trx, ctx.keys.links, token, { score, comment: comments[score], requestId: null }, answeredAt)
      answered++
    }
    return { sent, answered }
  })
}
