import { describe, expect, it } from 'vitest'
import { startTestApp } from '../../test/harness.js'
import { runDueJobs } from '../../test/jobs.js'
import { systemContext } from '../auth/actor.js'
import { changeStatus } from '../cases/service.js'
import { fireDueActions } from '../jobs/clock-runner.js'
import { clockHandlers } from '../jobs/worker.js'
import { modules } from '../registry.js'
import { surveyLimits } from './routes.js'
import { surveyToken } from './service.js'

// The public survey routes' limits, per link and per client address, counted in PostgreSQL. Each limit's window
// starts at its key's first request, so a test's burst always falls in one window.
const { env, app, m, call } = await startTestApp({ config: { publicUrl: 'https://cd.example.com' } })
const { ctx } = env
const sys = systemContext(m.id, 'test')

let customers = 0
/** A resolved case's survey link. */
async function surveyLink() {
  const customer = await call('POST', '/customers', { source: 'test', email: `c${++customers}@example.com` })
  expect(customer.statusCode, customer.body).toBe(201)
  const kase = (
    await call('POST', '/cases', { case_type: 'other', subject: 'Late parcel', customer_id: customer.json().id })
  ).json()
  const at = new Date()
  await ctx.db
    .transaction()
    .execute((trx) => changeStatus(trx, sys, kase.id, { status: 'resolved', resolutionCode: 'refunded' }, at))
  await runDueJobs(ctx, modules)
  await fireDueActions(ctx, clockHandlers(modules), () => at)
  const survey = await ctx.db.selectFrom('csat_surveys').selectAll().where('case_id', '=', kase.id).executeTakeFirst()
  return surveyToken(ctx.keys.links, survey!, at)
}

const from = (remoteAddress: string, method: 'GET' | 'POST', url: string, payload?: object) =>
  app.inject({ method, url: `/api/v1${url}`, remoteAddress, ...(payload && { payload }) })

const refused = (scope: string, limit: number) => ({
  error: {
    code: 'too_many_requests',
    message: 'Too many requests: try again later',
    details: { scope, limit, window_seconds: surveyLimits.windowSeconds, retry_after_seconds: expect.any(Number) },
  },
})

describe('the survey routes are rate-limited', () => {
  it('answers normally within the limit, then 429 per link; another link is not held up', async () => {
    const token = await surveyLink()
    const view = await from('198.51.100.1', 'GET', `/surveys/${token}`)
    expect(view.statusCode, view.body).toBe(200)
    const answer = await from('198.51.100.1', 'POST', `/surveys/${token}/answer`, { score: 5 })
    expect(answer.statusCode, answer.body).toBe(200)
    expect(answer.json()).toMatchObject({ answered: true, score: 5 })
    // Requests from several addresses all count against the link.
    for (let i = 2; i < surveyLimits.perLink; i++)
      expect((await from(`198.51.100.${i}`, 'GET', `/surveys/${token}`)).statusCode).toBe(200)
    const over = await from('198.51.100.250', 'GET', `/surveys/${token}`)
    expect(over.statusCode).toBe(429)
    expect(over.json()).toEqual(refused('link', surveyLimits.perLink))
    const retry = Number(over.headers['retry-after'])
    expect(retry).toBe(over.json().error.details.retry_after_seconds)
    expect(retry).toBeGreaterThan(0)
    expect(retry).toBeLessThanOrEqual(surveyLimits.windowSeconds)
    // A refused answer is refused before it is read: the survey keeps its one answer.
    const late = await from('198.51.100.250', 'POST', `/surveys/${token}/answer`, { score: 1 })
    expect(late.statusCode).toBe(429)

    const other = await surveyLink()
    expect((await from('198.51.100.250', 'GET', `/surveys/${other}`)).statusCode).toBe(200)
  })

  it('answers 429 to an address over its limit, whatever links it tries; other addresses go on', async () => {
    const address = '203.0.113.9'
    for (let i = 0; i < surveyLimits.perAddress; i++) {
      const res = await from(address, 'GET', `/surveys/guess${i}.not-signed-by-us`)
      expect(res.statusCode).toBe(401)
    }
    const token = await surveyLink()
    const over = await from(address, 'GET', `/surveys/${token}`)
    expect(over.statusCode).toBe(429)
    expect(over.json()).toEqual(refused('address', surveyLimits.perAddress))
    expect((await from('203.0.113.10', 'GET', `/surveys/${token}`)).statusCode).toBe(200)
    // No address or link is stored, only hashes of them.
    const keys = JSON.stringify(await ctx.db.selectFrom('request_limits').select('key').execute())
    expect(keys).not.toContain(address)
    expect(keys).not.toContain(token)
  })
})
