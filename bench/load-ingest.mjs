// Signed-webhook load generator in its own process: every request is a new generic tracking event,
// signed the Standard Webhooks way with a unique webhook-id, as a sender would send it.
import { createHmac } from 'node:crypto'
import net from 'node:net'
import { percentileMs } from './percentile.mjs'

/**
 * Requests are signed before the run (well within the 5-minute tolerance) and written as raw HTTP/1.1
 * on kept-alive sockets, as wrk does: the generator shares the machine's two cores with the server,
 * and every cycle it spends is one the server does not get (autocannon took half a core at 5,000/s).
 *
 * With `rate`: open loop, evenly spaced. Latency counts from when a request was due, not from when a
 * free connection sent it, so a stall is not hidden by the requests it held back (coordinated omission).
 * Without: closed loop, each connection sending its next request as soon as it has the answer, for
 * `duration` seconds; latency counts from sending.
 */
async function drive({ url, duration, connections, rate, requests }) {
  const { hostname, port } = new URL(url)
  const total = rate ? requests.length : Infinity
  const latencies = new Float64Array(requests.length)
  const sentAt = new Float64Array(requests.length)
  let settled = 0,
    next = 0,
    accepted = 0,
    non2xx = 0,
    errors = 0
  const idle = []
  const waiting = [] // paced: indexes due while every socket was busy
  let finish
  const done = new Promise((resolve) => {
    finish = resolve
  })
  const start = performance.now() + 20
  const end = start + duration * 1000
  const dueOf = (i) => start + (i * 1000) / rate
  const send = (conn, i) => {
    conn.current = i
    sentAt[i] = performance.now()
    conn.socket.write(requests[i])
  }
  const settle = (conn, status) => {
    const i = conn.current
    conn.current = -1
    latencies[settled++] = performance.now() - (rate ? dueOf(i) : sentAt[i])
    if (status === undefined) errors++
    else if (status < 300) accepted++
    else non2xx++
    if (rate) {
      if (waiting.length) send(conn, waiting.shift())
      else idle.push(conn)
      if (settled === total) finish()
    } else if (performance.now() < end && next < requests.length) send(conn, next++)
    else if (!conns.some((c) => c.current >= 0)) finish()
  }
  const open = () =>
    new Promise((resolve, reject) => {
      const socket = net.connect({ host: hostname, port: Number(port), noDelay: true })
      const conn = { socket, current: -1, buffer: Buffer.alloc(0) }
      socket.once('connect', () => resolve(conn))
      socket.once('error', reject)
      socket.on('data', (chunk) => {
        conn.buffer = conn.buffer.length ? Buffer.concat([conn.buffer, chunk]) : chunk
        for (;;) {
          const headEnd = conn.buffer.indexOf('\r\n\r\n')
          if (headEnd < 0) return
          const head = conn.buffer.subarray(0, headEnd).toString('latin1')
          const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0)
          if (conn.buffer.length < headEnd + 4 + length) return
          conn.buffer = conn.buffer.subarray(headEnd + 4 + length)
          settle(conn, Number(head.slice(9, 12)))
        }
      })
    })
  const conns = await Promise.all(Array.from({ length: connections }, open))
  for (const c of conns)
    c.socket.on('error', () => {
      if (c.current >= 0) settle(c, undefined)
    })
  if (rate) {
    idle.push(...conns)
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
  } else {
    setTimeout(
      () => {
        for (const c of conns) send(c, next++)
      },
      Math.max(0, start - performance.now()),
    )
  }
  await done
  const elapsed = (performance.now() - start) / 1000
  for (const c of conns) c.socket.destroy()
  const sorted = latencies.subarray(0, settled).sort()
  const ms = (p) => percentileMs(sorted, p)
  return {
    requests_per_sec: settled / elapsed,
    requests: settled,
    accepted,
    p50_ms: ms(50),
    p99_ms: ms(99),
    p99_9_ms: ms(99.9),
    max_ms: Number(sorted[settled - 1].toFixed(1)),
    non_2xx: non2xx,
    errors,
    timeouts: 0,
    // Paced runs hand back every latency, so several runs can be judged as one longer one.
    ...(rate ? { latencies_ms: Array.from(sorted) } : {}),
  }
}

// The status of request i: scans moving on (the ingest bench), or, with `exceptions`, each round of the trackers
// changing status (in transit, out for delivery) with every `exceptions`-th tracker failing delivery instead, once.
const statusOf = (i, trackers, exceptions) => {
  const round = Math.floor(i / trackers)
  if (!exceptions) return i % 7 === 0 ? 'out_for_delivery' : 'in_transit'
  if ((i % trackers) % exceptions === round % exceptions && round < exceptions) return 'attempt_failed'
  return round % 2 ? 'out_for_delivery' : 'in_transit'
}

process.once(
  'message',
  async ({ url, secret, duration, connections, rate, prefix, count, trackers = 5000, exceptions }) => {
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64')
    const { pathname, host } = new URL(url)
    const request = (i) => {
      const ts = Math.floor(Date.now() / 1000)
      const id = `msg_${prefix}_${i}`
      const body = JSON.stringify({
        type: 'tracking.updated',
        data: {
          carrier: 'royal_mail',
          tracking_number: `${prefix}${i % trackers}`,
          events: [
            {
              id: `${prefix}-e${i}`,
              status: statusOf(i, trackers, exceptions),
              occurred_at: new Date(
                (exceptions ? Date.now() - 60_000 : Date.UTC(2026, 10, 1)) + i * 1000,
              ).toISOString(),
              message: 'Scanned at hub',
              location: { city: 'Leeds', country: 'GB' },
            },
          ],
        },
      })
      const signature = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64')
      const headers = {
        host,
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(ts),
        'webhook-signature': `v1,${signature}`,
        'content-length': Buffer.byteLength(body),
      }
      return Buffer.from(
        `POST ${pathname} HTTP/1.1\r\n${Object.entries(headers)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('')}\r\n${body}`,
      )
    }
    const requests = Array.from({ length: rate ? Math.floor(rate * duration) : count }, (_, i) => request(i))
    process.send(await drive({ url, duration, connections, rate, requests }), () => process.exit(0))
  },
)
