import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { foldReply } from './fold.js'
import { parseMime } from './mime.js'
import { parseForm, splitMultipart } from './multipart.js'
import { normalizeMailgun, normalizePostmark, normalizeSendGrid } from './normalize.js'
import { mailgunSignatureValid } from './auth.js'
import { parseDeliveryReport, robotReason } from './robots.js'
import { refusal } from './attachments.js'

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url))
const crlf = (b: Buffer) => Buffer.from(b.toString('utf8').replace(/\r?\n/g, '\r\n'))

describe('folding quoted history and signatures', () => {
  it('folds a Gmail-style reply at its quote header, wrapped over two lines too', () => {
    const text =
      'Still nothing, can you check?\n\nOn Tue, 3 Mar 2026 at 10:00, Claimdesk Support\n<support@shop.example> wrote:\n> We shipped it.\n> Regards'
    expect(foldReply(text)).toEqual({
      visible: 'Still nothing, can you check?',
      folded:
        'On Tue, 3 Mar 2026 at 10:00, Claimdesk Support\n<support@shop.example> wrote:\n> We shipped it.\n> Regards',
    })
  })

  it('folds Outlook "-----Original Message-----" and From:/Sent: blocks, and a signature', () => {
    expect(foldReply('Thanks!\n\n-----Original Message-----\nFrom: a@b.c\nblah').visible).toBe('Thanks!')
    expect(foldReply('Got it\r\n\r\nFrom: Support <s@x.example>\r\nSent: Monday\r\nTo: me').visible).toBe('Got it')
    expect(foldReply('Got it\n________________\nFrom: Support <s@x.example>\nSent: Monday').visible).toBe('Got it')
    expect(foldReply('See the photo.\n\n-- \nJane Doe\nACME Ltd')).toEqual({
      visible: 'See the photo.',
      folded: '-- \nJane Doe\nACME Ltd',
    })
    expect(foldReply('Ok\n\nSent from my iPhone').visible).toBe('Ok')
  })

  it('keeps inline answers between quotes visible, and shows an all-quoted body whole', () => {
    const inline = '> Which size?\nLarge.\n> Which colour?\nRed.'
    expect(foldReply(inline)).toEqual({ visible: inline, folded: '' })
    expect(foldReply('> only quotes\n> here')).toEqual({ visible: '> only quotes\n> here', folded: '' })
    expect(foldReply('Plain message.')).toEqual({ visible: 'Plain message.', folded: '' })
    expect(foldReply('Le lun. 2 mars 2026, Support a écrit :').visible).toBe('Le lun. 2 mars 2026, Support a écrit :')
    expect(foldReply('Merci\nLe lun. 2 mars 2026, Support a écrit :\n> x').visible).toBe('Merci')
  })
})

describe('robots and delivery reports', () => {
  it('reads the failed recipients and the original Message-ID of a Postfix bounce (Auto-Submitted too)', async () => {
    const email = await parseMime(fixture('dsn/postfix-5.1.1-user-unknown.flanker-zed.eml'))
    expect(email.reportType).toBe('multipart/report; delivery-status')
    const report = parseDeliveryReport(email)!
    expect(report.recipients).toHaveLength(1)
    expect(report.recipients[0]).toMatchObject({ action: 'failed', status: '5.1.1' })
    expect(report.recipients[0]!.diagnostic).toMatch(/550/)
    expect(report.originalMessageId).toBeTruthy()
    expect(robotReason(email)).toBe('auto_submitted')
  })

  it('reads the RFC 3464 examples: only failed recipients count, delayed ones are warnings', async () => {
    const multi = parseDeliveryReport(await parseMime(fixture('dsn/rfc3464-appendix-multi-recipient.hyvor-relay.eml')))!
    expect(multi.recipients.map((r) => r.status)).toEqual(['5.0.0', '5.1.1'])
    const simple = parseDeliveryReport(await parseMime(fixture('dsn/rfc3464-appendix-simple.hyvor-relay.eml')))!
    expect(simple.recipients).toEqual([
      {
        address: 'louisl@larry.slip.umd.edu',
        action: 'failed',
        status: '4.0.0',
        diagnostic: '426 connection timed out',
      },
    ])
  })

  it('classifies out-of-office replies, with and without Auto-Submitted', async () => {
    const ooo = await parseMime(fixture('autoreply/out-of-office-auto-submitted.sisimai-rfc3834-01.eml'))
    expect(robotReason(ooo)).toBe('auto_submitted')
    expect(parseDeliveryReport(ooo)).toBeNull()
    const exchange = await parseMime(fixture('autoreply/exchange-automatic-reply.sisimai-rfc3834-04.eml'))
    expect(robotReason(exchange)).toBe('null_sender')
    expect(
      robotReason({
        ...exchange,
        envelopeFrom: 'kijitora@example.org',
        headers: { ...exchange.headers, 'return-path': '<k@x>' },
      }),
    ).toBe('auto_reply')
  })

  it('tells people from robots by their headers', async () => {
    const person = await parseMime(Buffer.from('From: a@b.example\r\nTo: s@x.example\r\nSubject: hi\r\n\r\nhello\r\n'))
    expect(robotReason(person)).toBeNull()
    const h = (headers: Record<string, string>) =>
      robotReason({ ...person, headers: { ...person.headers, ...headers } })
    expect(h({ 'auto-submitted': 'no' })).toBeNull()
    expect(h({ 'auto-submitted': 'auto-generated' })).toBe('auto_submitted')
    expect(h({ precedence: 'bulk' })).toBe('bulk')
    expect(h({ precedence: 'junk' })).toBe('bulk')
    expect(h({ 'x-autoreply': 'yes' })).toBe('auto_reply')
    expect(h({ 'x-autorespond': 'x' })).toBe('auto_reply')
    expect(robotReason({ ...person, from: { address: 'MAILER-DAEMON@x.example' } })).toBe('mailer_daemon')
    expect(robotReason({ ...person, from: { address: 'postmaster@x.example' } })).toBe('mailer_daemon')
    expect(robotReason({ ...person, envelopeFrom: '' })).toBe('null_sender')
  })
})

describe('MIME and form parsing', () => {
  it('never throws on garbage, and keeps what it can', async () => {
    const email = await parseMime(
      Buffer.from('Subject: broken\r\nContent-Type: multipart/mixed; boundary="\r\n\r\n\0\xff--'),
    )
    expect(email.subject).toBe('broken')
    expect(email.text.includes('\0')).toBe(false)
  })

  it('splits multipart bodies with CRLF or LF line ends', () => {
    const lf = fixture('sendgrid/parse-default.sdk-python.multipart.txt')
    const a = splitMultipart(lf, 'xYzZY')
    const b = splitMultipart(crlf(lf), 'xYzZY')
    expect(a.map((p) => p.headers['content-disposition'])).toEqual(b.map((p) => p.headers['content-disposition']))
    const fields = parseForm(crlf(lf), 'multipart/form-data; boundary=xYzZY')!
    expect(fields.find((f) => f.name === 'subject')?.value).toBe('Testing non-raw')
    expect(parseForm(Buffer.from('a=1&b=%20x'), 'application/x-www-form-urlencoded')!.map((f) => f.value)).toEqual([
      '1',
      ' x',
    ])
    expect(parseForm(Buffer.from('x'), 'text/plain')).toBeNull()
  })

  it('normalizes each provider fixture into one InboundEmail', async () => {
    const pm = await normalizePostmark(JSON.parse(fixture('postmark/inbound-webhook.postmark-skills.json').toString()))
    expect(pm).toMatchObject({
      from: { address: 'john@example.com', name: 'John Doe' },
      subject: 'Re: Issue with my order',
      text: "I still haven't received my order.",
      messageId: 'CAExample123@mail.example.com',
      recipients: ['support+ticket-456@yourdomain.com'],
    })
    expect(pm.attachments[0]).toMatchObject({ fileName: 'screenshot.png', contentType: 'image/png' })
    const gem = await normalizePostmark(
      JSON.parse(fixture('postmark/inbound-webhook.postmark-gem-spec.json').toString()),
    )
    expect(gem.cc).toHaveLength(2)
    expect(gem.messageId).toBeTruthy()

    const sg = await normalizeSendGrid(
      parseForm(
        crlf(fixture('sendgrid/parse-default.sdk-python.multipart.txt')),
        'multipart/form-data; boundary=xYzZY',
      )!,
    )
    expect(sg).toMatchObject({
      from: { address: 'test@example.com' },
      subject: 'Testing non-raw',
      recipients: ['inbound@inbound.example.com'],
    })
    const raw = await normalizeSendGrid(
      parseForm(
        crlf(fixture('sendgrid/parse-raw-with-attachment.sdk-python.multipart.txt')),
        'multipart/form-data; boundary=xYzZY',
      )!,
    )
    expect(raw.raw).not.toBeNull()
    expect(raw.attachments.length).toBeGreaterThan(0)
    expect(raw.attachments[0]!.contentType).toMatch(/^image\//)
    const docs = JSON.parse(fixture('sendgrid/parse-default-with-attachments.docs.json').toString()) as Record<
      string,
      string
    >
    const fromDocs = await normalizeSendGrid(
      Object.entries(docs).map(([name, value]) => ({
        name,
        value,
        fileName: null,
        contentType: null,
        data: Buffer.from(value),
      })),
    )
    // The file parts were not in the published sample: both recorded, as not received.
    expect(fromDocs.attachments).toEqual([
      {
        fileName: 'MG_2359.jpg',
        contentType: 'image/jpeg',
        sizeBytes: 0,
        content: null,
        contentId: 'ii_1562e2169c132d83',
      },
      {
        fileName: 'DockMcWordface.docx',
        contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        sizeBytes: 0,
        content: null,
      },
    ])

    const mg = JSON.parse(fixture('mailgun/route-forward-parsed.docs.json').toString()) as Record<string, string>
    const mgEmail = await normalizeMailgun(
      Object.entries(mg).map(([name, value]) => ({
        name,
        value,
        fileName: null,
        contentType: null,
        data: Buffer.from(value),
      })),
    )
    expect(mgEmail).toMatchObject({
      from: { address: 'user@samples.mailgun.com', name: 'Excited User' },
      subject: 'Message Routes',
      messageId: 'CABPem2N_Ucj3wRRZnLVpVF_fRjkTBXHZReZC3zY-hHsRa=T51g@samples.mailgun.com',
      recipients: ['hook@sandboxdb91ab935a414789809f96c91229a0ee.mailgun.org'],
      envelopeFrom: 'user@samples.mailgun.com',
    })
  })

  it("checks Mailgun's HMAC against the mailgun-php vector", () => {
    const v = JSON.parse(fixture('mailgun/webhook-signature-test-vector.mailgun-php.json').toString())
    expect(mailgunSignatureValid(v.valid.signingKey, v.valid.timestamp, v.valid.token, v.valid.signature)).toBe(true)
    const bad = v.invalid_token_swapped
    expect(mailgunSignatureValid(bad.signingKey, bad.timestamp, bad.token, bad.signature)).toBe(false)
    expect(mailgunSignatureValid(v.valid.signingKey, v.valid.timestamp, v.valid.token, 'zz')).toBe(false)
  })

  it('refuses executables, oversize and missing attachment bodies', () => {
    const a = (fileName: string, content: Buffer | null, contentType = 'application/octet-stream') => ({
      fileName,
      contentType,
      sizeBytes: content?.length ?? 10,
      content,
    })
    expect(refusal(a('photo.jpg', Buffer.from([0xff, 0xd8, 0xff])), 100)).toBeNull()
    expect(refusal(a('setup.exe', Buffer.from('x')), 100)).toMatch(/^refused_type/)
    expect(refusal(a('invoice.pdf', Buffer.from('MZ\x90\x00')), 100)).toMatch(/^refused_type/)
    expect(refusal(a('x.bin', Buffer.from('x'), 'application/x-msdownload'), 100)).toMatch(/^refused_type/)
    expect(refusal(a('big.jpg', Buffer.alloc(101)), 100)).toMatch(/^too_large/)
    expect(refusal(a('gone.jpg', null), 100)).toBe('not_received')
  })
})
