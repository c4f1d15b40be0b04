import { describe, expect, it } from 'vitest'
import { bearer, sessionHeaders, startTestApp } from '../../test/harness.js'

const { app, m, other, base } = await startTestApp({ other: true, listen: true })

type Event = { event: string; data: Record<string, unknown> }

/** A real SSE client over HTTP: collects parsed events until closed. */
async function listen(headers: Record<string, string>) {
  const abort = new AbortController()
  const res = await fetch(`${base}/api/v1/stream`, { headers, signal: abort.signal })
  const events: Event[] = []
  const waiters: (() => void)[] = []
  const done = (async () => {
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
    let buffer = ''
    try {
      for (;;) {
        const { value, done: end } = await reader.read()
        if (end) return
        buffer += value
        for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, i)
          buffer = buffer.slice(i + 2)
          const event = /^event: (.*)$/m.exec(block)?.[1]
          const data = /^data: (.*)$/m.exec(block)?.[1]
          if (event && data) events.push({ event, data: JSON.parse(data) as Record<string, unknown> })
          for (const w of waiters.splice(0)) w()
        }
      }
    } catch {
      // aborted
    }
  })()
  const until = async (pred: (e: Event) => boolean, ms = 5000): Promise<Event> => {
    const deadline = Date.now() + ms
    for (;;) {
      const hit = events.find(pred)
      if (hit) return hit
      if (Date.now() > deadline)
        throw new Error(`no such event within ${ms} ms; got ${events.map((e) => e.event).join(', ')}`)
      await new Promise<void>((r) => {
        waiters.push(r)
        setTimeout(r, 100)
      })
    }
  }
  return {
    res,
    events,
    until,
    close: async () => {
      abort.abort()
      await done
    },
  }
}

const post = (url: string, body: unknown, key = m.keys.admin) =>
  fetch(`${base}/api/v1${url}`, {
    method: 'POST',
    headers: { ...bearer(key), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

describe('live stream', () => {
  it("carries a workspace's case events as they commit, and nothing of another workspace", async () => {
    const mine = await listen(bearer(m.keys.viewer))
    const theirs = await listen(bearer(other.keys.admin))
    expect(mine.res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    await mine.until((e) => e.event === 'ready')
    await theirs.until((e) => e.event === 'ready')

    const opened = (await (
      await post('/cases', { case_type: 'lost_parcel', subject: 'Parcel never arrived' })
    ).json()) as { id: string; number: string }
    expect(await mine.until((e) => e.event === 'case.opened')).toMatchObject({
      data: { case_id: opened.id, number: opened.number, subject: 'Parcel never arrived', status: 'new' },
    })
    await post(`/cases/${opened.id}/status`, { status: 'waiting_carrier' })
    expect((await mine.until((e) => e.event === 'case.updated')).data).toMatchObject({
      case_id: opened.id,
      status: 'waiting_carrier',
    })
    await mine.until((e) => e.event === 'case.timeline' && e.data.case_id === opened.id)

    // A rolled-back change announces nothing: an illegal transition.
    expect((await post(`/cases/${opened.id}/status`, { status: 'new' })).status).toBe(409)
    const theirCase = (await (await post('/cases', { case_type: 'damaged' }, other.keys.admin)).json()) as {
      id: string
    }
    await theirs.until((e) => e.event === 'case.opened' && e.data.case_id === theirCase.id)
    expect(theirs.events.some((e) => e.data.case_id === opened.id)).toBe(false)
    expect(mine.events.some((e) => e.data.case_id === theirCase.id)).toBe(false)
    expect(mine.events.filter((e) => e.event === 'case.updated')).toHaveLength(1)
    await mine.close()
    await theirs.close()
  })

  it('sends a notification only to its recipient', async () => {
    const admin = await listen(await sessionHeaders(app, m.adminEmail, m.password))
    const key = await listen(bearer(m.keys.manager))
    await admin.until((e) => e.event === 'ready')
    await key.until((e) => e.event === 'ready')
    const c = (await (await post('/cases', { case_type: 'damaged' })).json()) as { id: string; number: string }
    await post(`/cases/${c.id}/assign`, { assignee_id: m.adminUserId }, m.keys.manager)
    const n = await admin.until((e) => e.event === 'notification')
    expect(n.data).toMatchObject({ case_id: c.id, cause: 'assigned' })
    await key.until((e) => e.event === 'case.assigned' && e.data.case_id === c.id)
    expect(key.events.some((e) => e.event === 'notification')).toBe(false)
    await admin.close()
    await key.close()
  })

  it('refuses anonymous callers and unknown parameters', async () => {
    expect((await fetch(`${base}/api/v1/stream`)).status).toBe(401)
    const res = await fetch(`${base}/api/v1/stream?since=1`, { headers: bearer(m.keys.viewer) })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({
      error: {
        code: 'validation_failed',
        message: expect.any(String),
        details: { errors: [{ path: 'querystring/since', message: 'must NOT have additional properties' }] },
      },
    })
  })
})
