// The SMS bench's Twilio in its own process (as the real one is: its own event loop, so arrival times are not
// the sender's): the fake (server/src/messaging/twilio/testing/fake-twilio.ts) without status callbacks. Once it
// has `expect` requests (or when asked) it reports each one's arrival (ms since the epoch), From and Body.
import { register } from 'tsx/esm/api'

register()
const { startFakeTwilio } = await import('../server/src/messaging/twilio/testing/fake-twilio.ts')

process.once('message', async ({ expect }) => {
  const fake = await startFakeTwilio({ callbacks: false })
  let reported = false
  const report = () => {
    if (reported) return
    reported = true
    process.send({ requests: fake.requests.map((r) => [r.at, r.form.From, r.form.Body, r.status]) })
  }
  const timer = setInterval(() => fake.requests.length >= expect && report(), 20)
  process.on('message', (m) => {
    if (m === 'report') report()
    if (m === 'close') {
      clearInterval(timer)
      void fake.close().then(() => process.exit(0))
    }
  })
  process.send({ url: fake.url, accountSid: fake.accountSid, authToken: fake.authToken })
})
