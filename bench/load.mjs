// Load generator in its own process (own event loop and core), so it does not share the server's.
import autocannon from 'autocannon'

process.once('message', async ({ url, method, headers, duration, connections, bodyPrefix }) => {
  let n = 0
  const result = await autocannon({
    url,
    method,
    headers,
    duration,
    connections,
    pipelining: 1,
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify({ name: `${bodyPrefix} ${n++}` }) }) }],
  })
  process.send(
    {
      requests_per_sec: result.requests.average,
      requests: result.requests.total,
      p50_ms: result.latency.p50,
      p90_ms: result.latency.p90,
      p99_ms: result.latency.p99,
      max_ms: result.latency.max,
      non_2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
    },
    () => process.exit(0),
  )
})
