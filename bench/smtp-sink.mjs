// The outbound bench's mail server in its own process (as a real one is: its own event loop and core): accepts
// every message and, once it has `expect` of them (or when asked), reports each one's Message-ID and when the
// 250 was given (ms since the epoch).
import { SMTPServer } from 'smtp-server'

process.once('message', ({ expect }) => {
  const deliveries = []
  const report = () => process.send({ deliveries })
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      let head = ''
      stream.on('data', (c) => {
        if (head.length < 4096) head += c.toString('latin1')
      })
      stream.on('end', () => {
        deliveries.push([/^message-id:\s*<([^>]+)>/im.exec(head)?.[1] ?? '', Date.now()])
        callback(null, 'Ok: queued')
        if (deliveries.length === expect) report()
      })
    },
  })
  server.listen(0, '127.0.0.1', () => process.send({ url: `smtp://127.0.0.1:${server.server.address().port}` }))
  process.on('message', (m) => m === 'report' && report())
})
