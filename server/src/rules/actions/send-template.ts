import { type AutomaticResult, sendAutomatic } from '../../messaging/service.js'
import { defineAction, done, skipped, targetCase } from './outcome.js'

const channelResult = (r: AutomaticResult) =>
  'message' in r
    ? { channel: r.channel, message_id: r.message.id, status: r.message.status }
    : { channel: r.channel, skipped: r.skipped }

/**
 * sendAutomatic, as the acknowledgement and the customs-hold messages go: by the channels named, or the first the
 * workspace's order allows. The key (rule, version, trigger occurrence) gives each channel one Message-ID, so a
 * repeat finds the message sent and sends nothing.
 */
export const sendTemplate = defineAction('send_template', async (run, args) => {
  const t = await targetCase(run)
  if ('skip' in t) return t.skip
  if (!t.row.customer_id) return skipped('the case has no customer', t.row.id)
  const results = await sendAutomatic(run.trx, run.ctx, t.row.id, args.purpose, run.now, {
    app: run.app,
    ...(args.channels && { channels: args.channels }),
    messageKey: `rule.${run.rule.id}.${run.rule.version}.${run.triggerKey}`,
  })
  const channels = results.map(channelResult)
  const sent = channels.filter((c) => 'message_id' in c)
  const why = channels.map((c) => ('skipped' in c ? `${c.channel}: ${c.skipped}` : null)).filter(Boolean)
  if (!sent.length)
    return skipped(why.length ? why.join('; ') : 'no channel can reach the customer', t.row.id, { channels })
  return done(t.row.id, `sent by ${sent.map((c) => c.channel).join(', ')}${why.length ? ` (${why.join('; ')})` : ''}`, {
    channels,
  })
})
