import { param } from './params.js'
import type { TwilioParams } from './signature.js'

// Opt-out, opt-in and help keywords as Twilio handles them on its numbers by default ("Twilio support for opt-out
// keywords (SMS STOP filtering)", help.twilio.com/articles/223134027, and the Advanced Opt-Out tutorial,
// twilio.com/docs/messaging/tutorials/advanced-opt-out): a message is a keyword only when its whole body is one,
// in any case. With Advanced Opt-Out on a Messaging Service, Twilio names the kind itself in `OptOutType`
// (STOP, START or HELP), which then wins: the service's own keywords may be other words or languages.
// Twilio answers these itself, so Claimdesk sends nothing back.

export type Keyword = 'stop' | 'start' | 'help'

const keywords: Record<string, Keyword> = {}
for (const w of ['STOP', 'STOPALL', 'STOP ALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE'])
  keywords[w] = 'stop'
for (const w of ['START', 'YES', 'UNSTOP']) keywords[w] = 'start'
for (const w of ['HELP', 'INFO']) keywords[w] = 'help'

export function keywordOf(params: TwilioParams): Keyword | null {
  const given = param(params, 'OptOutType').toLowerCase()
  if (given === 'stop' || given === 'start' || given === 'help') return given
  const body = param(params, 'Body').trim().replace(/\s+/g, ' ').toUpperCase()
  return keywords[body] ?? null
}
