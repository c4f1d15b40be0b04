import { sql } from 'kysely'
import pg from 'pg'
import { beforeAll, describe, expect, it } from 'vitest'
import { startTestEnv } from '../../test/harness.js'
import { executePrepared } from './database.js'
import { APP_USER } from './embedded.js'

const env = await startTestEnv()
beforeAll(async () => {
  // The application's role creates no tables; the owner makes this one and hands it over for the DDL below.
  const owner = new pg.Client(env.adminUrl)
  await owner.connect()
  await owner.query(
    `create table prepared_probe (a int primary key, b text); alter table prepared_probe owner to ${APP_USER}`,
  )
  await owner.end()
  await sql`insert into prepared_probe values (1, 'one'), (2, 'two')`.execute(env.ctx.db)
})

const preparedOn = async (trx: Parameters<typeof executePrepared>[0], text: string) =>
  (
    await sql<{ n: number }>`select count(*)::int as n from pg_prepared_statements where statement = ${text}`.execute(
      trx,
    )
  ).rows[0]!.n

describe('executePrepared', () => {
  it('runs the statement as a named one on the connection, once parsed and then reused', async () => {
    const query = sql<{ b: string }>`select b from prepared_probe where a = ${1}`
    const text = query.compile(env.ctx.db).sql
    await env.ctx.db.transaction().execute(async (trx) => {
      // one connection throughout
      expect(await executePrepared(trx, query)).toEqual([{ b: 'one' }])
      expect(await preparedOn(trx, text)).toBe(1)
      expect(await executePrepared(trx, sql<{ b: string }>`select b from prepared_probe where a = ${2}`)).toEqual([
        { b: 'two' },
      ])
      expect(await preparedOn(trx, text)).toBe(1)
    })
  })

  it('sends an unregistered text unnamed, as before', async () => {
    const query = sql<{ b: string }>`select b from prepared_probe where a = ${2} and b is not null`
    await env.ctx.db.transaction().execute(async (trx) => {
      expect((await query.execute(trx)).rows).toEqual([{ b: 'two' }])
      expect(await preparedOn(trx, query.compile(trx).sql)).toBe(0)
    })
  })

  it('refuses a statement whose result is `*`', async () => {
    await expect(executePrepared(env.ctx.db, sql`select * from prepared_probe`)).rejects.toThrow(
      /must name its result columns/,
    )
    await expect(
      executePrepared(env.ctx.db, sql`update prepared_probe set b = b where a = ${1} returning *`),
    ).rejects.toThrow(/must name its result columns/)
    await expect(executePrepared(env.ctx.db, env.ctx.db.selectFrom('merchants').selectAll())).rejects.toThrow(
      /must name its result columns/,
    )
  })

  it('keeps working on a connection that prepared it after its table gains a column', async () => {
    const query = () => sql<{ a: number; b: string }>`select a, b from prepared_probe where a = ${1}`
    await env.ctx.db.connection().execute(async (conn) => {
      expect(await executePrepared(conn, query())).toEqual([{ a: 1, b: 'one' }])
      await sql`alter table prepared_probe add column c int`.execute(conn)
      expect(await executePrepared(conn, query())).toEqual([{ a: 1, b: 'one' }])
    })
  })
})
