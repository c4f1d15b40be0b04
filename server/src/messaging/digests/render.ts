import type { listNotifications } from '../../cases/service.js'
import { escapeHtml } from '../templates/render.js'

export type DigestItem = Awaited<ReturnType<typeof listNotifications>>[number]

/** How many notifications a digest spells out; the rest are counted, and waiting in the app. */
export const digestMaxItems = 20

const excerpt = (body: string) => (body.length > 300 ? `${body.slice(0, 300)}…` : body)

/**
 * One digest email, plain text and HTML: each notification's title, a short excerpt and a link to its case in the
 * console, newest first; where to turn digests off.
 */
export function renderDigest(input: {
  name: string
  workspace: string
  consoleUrl: string
  items: DigestItem[]
  intervalMinutes: number
}): { subject: string; text: string; html: string } {
  const base = input.consoleUrl.replace(/\/+$/, '')
  const shown = input.items.slice(0, digestMaxItems)
  const more = input.items.length - shown.length
  const link = (i: DigestItem) => (i.case_id ? `${base}/cases/${i.case_id}` : `${base}/`)
  const count = input.items.length
  const subject = `${input.workspace}: ${count === 1 ? '1 notification' : `${count} notifications`} in Claimdesk`
  const profile = `${base}/profile`
  const footer = `You get at most one of these every ${input.intervalMinutes} minutes, only for notifications you have not read in Claimdesk. Turn them off or change how often: ${profile}`
  const text = [
    `Hello ${input.name},`,
    '',
    `While you were away, ${input.workspace} had this for you:`,
    '',
    ...shown.flatMap((i) => [
      `* ${i.title}`,
      ...(i.body ? [`  ${excerpt(i.body).replace(/\n/g, '\n  ')}`] : []),
      `  ${link(i)}`,
      '',
    ]),
    ...(more > 0 ? [`…and ${more} more in Claimdesk: ${base}/`, ''] : []),
    '-- ',
    footer,
  ].join('\n')
  const html = [
    `<p>Hello ${escapeHtml(input.name)},</p>`,
    `<p>While you were away, ${escapeHtml(input.workspace)} had this for you:</p>`,
    '<ul>',
    ...shown.map(
      (i) =>
        `<li><a href="${escapeHtml(link(i))}">${escapeHtml(i.title)}</a>${i.body ? `<br>${escapeHtml(excerpt(i.body))}` : ''}</li>`,
    ),
    '</ul>',
    ...(more > 0 ? [`<p>…and ${more} more <a href="${escapeHtml(base)}/">in Claimdesk</a>.</p>`] : []),
    `<p style="color:#666;font-size:12px">${escapeHtml(footer.replace(profile, ''))}<a href="${escapeHtml(profile)}">${escapeHtml(profile)}</a></p>`,
  ].join('\n')
  return { subject, text, html }
}
