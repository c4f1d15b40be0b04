// Signed-webhook load generator in its own process: every request is a new generic tracking event,
// signed the Standard Webhooks way with a unique webhook-id, as a sender would send it.
import { createHmac } from 'node:crypto'
import autocannon from 'autocannon'

// Requests are signed before the run (well within the 5-minute tolerance), so the generator spends its
// core on sending, not on HMACs.
process.once('message', async ({ url, secret, duration, connections, rate, prefix, count }) => {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64')
  const ts = Math.floor(Date.now() / 1000)
  const signed = Array.from({ length: count }, (_, i) => {
    const id = `msg_${prefix}_${i}`
    const body = JSON.stringify({ type: 'tracking.updated', data: { carrier: 'royal_mail', tracking_number: `${prefix}${i % 5000}`, events: [
      { id: `${prefix}-e${i}`, status: i % 7 === 0 ? 'out_for_delivery' : 'in_transit', occurred_at: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(), message: 'Scanned at hub', location: { city: 'Leeds', country: 'GB' } },
    ] } })
    const signature = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64')
    return { body, headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': `v1,${signature}` } }
  })
  let n = 0
  const result = await autocannon({
    url, method: 'POST', duration, connections, pipelining: 1, ...(rate ? { overallRate: rate } : {}),
    requests: [{ setupRequest: (req) => ({ ...req, ...signed[n++ % count] }) }],
  })
  const pct = result.latency
  process.send({
    requests_per_sec: result.requests.average, requests: result.requests.total, accepted: result['2xx'], p50_ms: pct.p50, p99_ms: pct.p99,
    p99_9_ms: pct.p99_9, max_ms: pct.max, non_2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts,
  }, () => process.exit(0))
})
