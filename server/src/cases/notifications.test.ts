import { describe, expect, it } from 'vitest'
import { sessionHeaders, startTestApp } from '../../test/harness.js'
import { notifyUsers } from './service.js'

const { env, app, m } = await startTestApp()

describe('notifications', () => {
  it('lists the newest first by when they happened, not by when they were written, and pages on in that order', async () => {
    // A consumer acting on an older event writes its notification later than a newer one's.
    const at = ['2026-11-20T10:00:00Z', '2026-11-22T10:00:00Z', '2026-11-21T10:00:00Z', '2026-11-19T10:00:00Z']
    for (const [i, t] of at.entries()) {
      await env.ctx.db
        .transaction()
        .execute((trx) =>
          notifyUsers(trx, m.id, [m.adminUserId], { caseId: null, cause: `test-${i}`, title: `At ${t}` }, new Date(t)),
        )
    }
    const headers = await sessionHeaders(app, m.adminEmail, m.password)
    const first = await app.inject({ url: '/api/v1/notifications?limit=2', headers })
    expect(first.statusCode).toBe(200)
    const next = await app.inject({ url: `/api/v1/notifications?limit=2&cursor=${first.json().next_cursor}`, headers })
    const titles = [...first.json().data, ...next.json().data].map((n: { title: string }) => n.title)
    expect(titles).toEqual(
      [...at]
        .sort()
        .reverse()
        .map((t) => `At ${t}`),
    )
  })
})
