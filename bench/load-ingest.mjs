// Signed-webhook load generator in its own process: every request is a new generic tracking event,
// signed the Standard Webhooks way with a unique webhook-id, as a sender would send it.
import { createHmac } from 'node:crypto'
import http from 'node:http'
import autocannon from 'autocannon'

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]

/**
 * Open loop at a fixed rate, evenly spaced (autocannon's rate limit sends each second's requests in a
 * burst at its start). Latency counts from when a request was due, not from when a free connection
 * sent it, so a stall is not hidden by the requests it held back (coordinated omission).
 */
async function paced({ url, duration, connections, rate, sign }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections })
  const { hostname, port, pathname } = new URL(url)
  const total = Math.floor(rate * duration)
  const latencies = []
  let accepted = 0, non2xx = 0, errors = 0
  const start = performance.now() + 20
  await new Promise((resolve) => {
    const settle = (due, status) => {
      latencies.push(performance.now() - due)
      if (status === undefined) errors++
      else if (status < 300) accepted++
      else non2xx++
      if (latencies.length === total) resolve()
    }
    let i = 0
    const tick = () => {
      for (const now = performance.now(); i < total && start + (i * 1000) / rate <= now; i++) {
        const due = start + (i * 1000) / rate
        const { body, headers } = sign(i)
        const req = http.request({ agent, hostname, port, path: pathname, method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
          res.resume()
          res.on('end', () => settle(due, res.statusCode))
        })
        req.on('error', () => settle(due, undefined))
        req.end(body)
      }
      if (i < total) setTimeout(tick, 1)
    }
    tick()
  })
  agent.destroy()
  const elapsed = (performance.now() - start) / 1000
  latencies.sort((a, b) => a - b)
  const ms = (p) => Number(percentile(latencies, p).toFixed(1))
  return {
    requests_per_sec: total / elapsed, requests: total, accepted, p50_ms: ms(50), p99_ms: ms(99), p99_9_ms: ms(99.9),
    max_ms: Number(latencies.at(-1).toFixed(1)), non_2xx: non2xx, errors, timeouts: 0,
  }
}

process.once('message', async ({ url, secret, duration, connections, rate, prefix, count }) => {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64')
  const sign = (i) => {
    const ts = Math.floor(Date.now() / 1000)
    const id = `msg_${prefix}_${i}`
    const body = JSON.stringify({ type: 'tracking.updated', data: { carrier: 'royal_mail', tracking_number: `${prefix}${i % 5000}`, events: [
      { id: `${prefix}-e${i}`, status: i % 7 === 0 ? 'out_for_delivery' : 'in_transit', occurred_at: new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(), message: 'Scanned at hub', location: { city: 'Leeds', country: 'GB' } },
    ] } })
    const signature = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64')
    return { body, headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': `v1,${signature}` } }
  }
  // Paced, each request is signed when due (a few µs), so no large array is kept for the collector to walk.
  if (rate) {
    process.send(await paced({ url, duration, connections, rate, sign }), () => process.exit(0))
    return
  }
  // Flat out, requests are signed before the run (well within the 5-minute tolerance), so the generator
  // spends its core on sending, not on HMACs.
  const signed = Array.from({ length: count }, (_, i) => sign(i))
  let n = 0
  const result = await autocannon({
    url, method: 'POST', duration, connections, pipelining: 1,
    requests: [{ setupRequest: (req) => ({ ...req, ...signed[n++ % count] }) }],
  })
  const pct = result.latency
  process.send({
    requests_per_sec: result.requests.average, requests: result.requests.total, accepted: result['2xx'], p50_ms: pct.p50, p99_ms: pct.p99,
    p99_9_ms: pct.p99_9, max_ms: pct.max, non_2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts,
  }, () => process.exit(0))
})
