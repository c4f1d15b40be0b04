// Signed-webhook load generator in its own process: every request is a new generic tracking event,
// signed the Standard Webhooks way with a unique webhook-id, as a sender would send it.
import { createHmac } from 'node:crypto'
import net from 'node:net'
import autocannon from 'autocannon'

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]

/**
 * Open loop at a fixed rate, evenly spaced (autocannon's rate limit sends each second's requests in a
 * burst at its start). Latency counts from when a request was due, not from when a free connection
 * sent it, so a stall is not hidden by the requests it held back (coordinated omission).
 * Requests are signed before the run and written as raw HTTP/1.1 on kept-alive sockets, as wrk and
 * autocannon do: the generator shares the machine's two cores with the server and must stay light.
 */
async function paced({ url, duration, connections, rate, sign }) {
  const { hostname, port, pathname, host } = new URL(url)
  const total = Math.floor(rate * duration)
  const requests = Array.from({ length: total }, (_, i) => {
    const { body, headers } = sign(i)
    const head = Object.entries({ host, ...headers, 'content-length': Buffer.byteLength(body) }).map(([k, v]) => `${k}: ${v}\r\n`).join('')
    return Buffer.from(`POST ${pathname} HTTP/1.1\r\n${head}\r\n${body}`)
  })
  const latencies = new Float64Array(total)
  let settled = 0, accepted = 0, non2xx = 0, errors = 0
  const idle = []
  const waiting = [] // indexes due while every socket was busy
  let finish
  const done = new Promise((resolve) => { finish = resolve })
  const start = performance.now() + 20
  const dueOf = (i) => start + (i * 1000) / rate
  const settle = (i, status) => {
    latencies[i] = performance.now() - dueOf(i)
    if (status === undefined) errors++
    else if (status < 300) accepted++
    else non2xx++
    if (++settled === total) finish()
  }
  const send = (conn, i) => {
    conn.current = i
    conn.socket.write(requests[i])
  }
  const release = (conn) => {
    if (waiting.length) send(conn, waiting.shift())
    else idle.push(conn)
  }
  const open = () => new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port), noDelay: true })
    const conn = { socket, current: -1, buffer: Buffer.alloc(0) }
    socket.once('connect', () => resolve(conn))
    socket.once('error', reject)
    socket.on('data', (chunk) => {
      conn.buffer = conn.buffer.length ? Buffer.concat([conn.buffer, chunk]) : chunk
      for (;;) {
        const end = conn.buffer.indexOf('\r\n\r\n')
        if (end < 0) return
        const head = conn.buffer.subarray(0, end).toString('latin1')
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0)
        if (conn.buffer.length < end + 4 + length) return
        conn.buffer = conn.buffer.subarray(end + 4 + length)
        const i = conn.current
        settle(i, Number(head.slice(9, 12)))
        release(conn)
      }
    })
  })
  const conns = await Promise.all(Array.from({ length: connections }, open))
  for (const c of conns) {
    c.socket.on('error', () => { if (c.current >= 0) settle(c.current, undefined) })
    idle.push(c)
  }
  let i = 0
  const tick = () => {
    for (const now = performance.now(); i < total && dueOf(i) <= now; i++) {
      const conn = idle.pop()
      if (conn) send(conn, i)
      else waiting.push(i)
    }
    if (i < total) setTimeout(tick, 1)
  }
  setTimeout(tick, Math.max(0, start - performance.now()))
  await done
  for (const c of conns) c.socket.destroy()
  const elapsed = (performance.now() - start) / 1000
  latencies.sort()
  const ms = (p) => Number(percentile(latencies, p).toFixed(1))
  return {
    requests_per_sec: total / elapsed, requests: total, accepted, p50_ms: ms(50), p99_ms: ms(99), p99_9_ms: ms(99.9),
    max_ms: Number(latencies[total - 1].toFixed(1)), non_2xx: non2xx, errors, timeouts: 0,
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
  if (rate) {
    process.send(await paced({ url, duration, connections, rate, sign }), () => process.exit(0))
    return
  }
  // Requests are signed before the run (well within the 5-minute tolerance), so the generator spends
  // its core on sending, not on HMACs.
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
