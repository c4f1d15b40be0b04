import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { newId } from '../ids.js'
import { createPool } from './database.js'
import { migrate } from './migrate.js'

// Migrations that rewrite rows: each is run on a database migrated to the version before it, holding rows as an
// install of that version wrote them.

const adminUrl = inject('pgAdminUrl')
const name = `m_${randomBytes(6).toString('hex')}`
const admin = new pg.Client(adminUrl)
await admin.connect()
await admin.query(`create database ${name}`)
const url = new URL(adminUrl)
url.pathname = `/${name}`
const pool = createPool(url.toString(), 2)
afterAll(async () => {
  await pool.end()
  await admin.query(`drop database ${name} with (force)`)
  await admin.end()
})
const q = (text: string, values: unknown[] = []) => pool.query(text, values)

describe('0025_side_conversations', () => {
  it('makes each side message written before it a side conversation of its own, open or answered, with its people', async () => {
    await migrate(pool, undefined, undefined, 24)
    const m = newId()
    const caseId = newId()
    const now = new Date('2026-11-20T10:00:00Z')
    await q(
      `insert into merchants (id, slug, name, brand_name, time_zone, default_currency, currencies, audit_pepper,
        created_at, updated_at) values ($1, 'm25', 'M25', 'M25', 'Europe/London', 'GBP', '{GBP}', '\\x00', $2, $2)`,
      [m, now],
    )
    await q(
      `insert into case_types (merchant_id, id, key, label, created_at, updated_at)
       values ($1, $2, 'lost_parcel', 'Lost parcel', $3, $3)`,
      [m, newId(), now],
    )
    await q(
      `insert into cases (merchant_id, id, number, type_key, subject, created_at, updated_at)
       values ($1, $2, 1, 'lost_parcel', 'Parcel never arrived', $3, $3)`,
      [m, caseId, now],
    )
    const message = (o: { direction: 'in' | 'out'; visibility: string; subject: string; from?: string; to?: string }) =>
      q(
        `insert into messages (merchant_id, id, case_id, direction, channel, visibility, status, author_type,
          from_address, to_addresses, cc_addresses, subject, text_body, created_at, updated_at)
         values ($1, $2, $3, $4, 'email', $5, $6, $7, $8, $9, '[]', $10, 'words', $11, $11) returning id`,
        [
          m,
          newId(),
          caseId,
          o.direction,
          o.visibility,
          o.direction === 'in' ? 'received' : 'sent',
          o.direction === 'in' ? 'contact' : 'agent',
          o.from ?? 'support@shop.example',
          JSON.stringify(o.to ? [{ address: o.to }] : []),
          o.subject,
          now,
        ],
      ).then((r) => r.rows[0].id as string)
    const asked = await message({
      direction: 'out',
      visibility: 'side',
      subject: 'Trace please',
      to: 'claims@dhl.example',
    })
    const answered = await message({ direction: 'in', visibility: 'side', subject: '', from: 'Desk@DHL.example' })
    const toCustomer = await message({ direction: 'out', visibility: 'public', subject: 'Sorry', to: 'c@example.com' })

    await migrate(pool)
    const conversations = await q(
      `select id, subject, status, participants, counterparty_kind from side_conversations where merchant_id = $1
       order by id`,
      [m],
    )
    expect(conversations.rows).toEqual(
      [
        {
          id: asked,
          subject: 'Trace please',
          status: 'open',
          participants: [{ address: 'claims@dhl.example' }],
          counterparty_kind: 'other',
        },
        {
          id: answered,
          subject: '(no subject)',
          status: 'answered',
          participants: [{ address: 'desk@dhl.example' }],
          counterparty_kind: 'other',
        },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    )
    const links = await q(`select id, side_conversation_id from messages where merchant_id = $1`, [m])
    expect(Object.fromEntries(links.rows.map((r) => [r.id, r.side_conversation_id]))).toEqual({
      [asked]: asked,
      [answered]: answered,
      [toCustomer]: null,
    })
  })
})
