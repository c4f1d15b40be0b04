import { describe, expect, it } from 'vitest'
import { expectError, startTestApp } from '../../test/harness.js'
import { newId } from '../ids.js'
import { defaultPack, ensureDefaultRules } from './default-pack.js'

const { env, call, m, other } = await startTestApp({ other: true })
const db = env.ctx.db
const revision = async (merchantId: string) =>
  Number(
    (await db.selectFrom('rule_settings').select('revision').where('merchant_id', '=', merchantId).executeTakeFirst())
      ?.revision,
  )

const damaged =
  "IF case_type='Damaged' THEN send_template('Damage Ack') TO customer AND request_attachment('photo') WITH 48h deadline."
const escalating = "IF SLA_elapsed >= 75% THEN auto-notify(team_lead) AND add_tag('escalating')."
const create = (body: Record<string, unknown>, as?: string) =>
  call('POST', '/rules', { name: `Rule ${newId()}`, source: damaged, ...body }, as)

describe('the default pack', () => {
  it('gives a new workspace the six default rules, active, in order, once', async () => {
    const res = await call('GET', '/rules')
    expect(res.statusCode, res.body).toBe(200)
    const pack = res.json().data.filter((r: { pack: string | null }) => r.pack === 'default')
    expect(pack.map((r: { name: string; mode: string; priority: number; source: string }) => r)).toEqual(
      defaultPack.map((p) =>
        expect.objectContaining({ name: p.name, mode: 'active', priority: p.priority, source: p.source, version: 1 }),
      ),
    )
    const again = await db.transaction().execute((trx) => ensureDefaultRules(trx, m.id, new Date()))
    expect(again).toEqual({ created: [], skipped: [] })
  })
})

describe('rules', () => {
  it('creates a rule in shadow mode after the others, compiled, with its first version and an audit entry', async () => {
    const before = await revision(m.id)
    const res = await create({ name: 'Damaged: acknowledge', description: 'Ask for a photo' })
    expect(res.statusCode, res.body).toBe(201)
    const rule = res.json()
    expect(rule).toMatchObject({
      name: 'Damaged: acknowledge',
      description: 'Ask for a photo',
      source: damaged,
      version: 1,
      mode: 'shadow',
      stop_processing: false,
      pack: null,
      stats: { fired: 0, shadow: 0, failed: 0, last_at: null },
    })
    expect(rule.priority).toBe(Math.max(...defaultPack.map((p) => p.priority)) + 10)
    expect(rule.triggers.length).toBeGreaterThan(0)
    expect(await revision(m.id)).toBe(before + 1)
    const audit = await db
      .selectFrom('audit_entries')
      .select(['action', 'actor_type'])
      .where('merchant_id', '=', m.id)
      .where('entity_id', '=', rule.id)
      .execute()
    expect(audit).toEqual([{ action: 'rule.created', actor_type: 'api_key' }])

    const versions = await call('GET', `/rules/${rule.id}/versions`)
    expect(versions.json().data).toMatchObject([{ rule_id: rule.id, version: 1, source: damaged }])
  })

  it('versions a changed source; a rename, mode or priority changes the rule without a new version', async () => {
    const { id } = (await create({})).json()
    const renamed = await call('PATCH', `/rules/${id}`, { name: `Renamed ${id}`, mode: 'active', priority: 5 })
    expect(renamed.statusCode, renamed.body).toBe(200)
    expect(renamed.json()).toMatchObject({ name: `Renamed ${id}`, mode: 'active', priority: 5, version: 1 })

    const same = await call('PATCH', `/rules/${id}`, { source: damaged })
    expect(same.json().version).toBe(1)
    const changed = await call('PATCH', `/rules/${id}`, { source: escalating, stop_processing: true })
    expect(changed.statusCode, changed.body).toBe(200)
    expect(changed.json()).toMatchObject({ version: 2, source: escalating, stop_processing: true })

    const versions = (await call('GET', `/rules/${id}/versions`)).json().data
    expect(versions.map((v: { version: number; source: string }) => [v.version, v.source])).toEqual([
      [2, escalating],
      [1, damaged],
    ])
    expect((await call('GET', `/rules/${id}/versions/1`)).json()).toMatchObject({ version: 1, source: damaged })
    expectError(await call('GET', `/rules/${id}/versions/3`), 404, 'rule_version_not_found', {
      rule_id: id,
      version: 3,
    })
  })

  it('refuses a second rule of the same name, in any case, until the first is deleted', async () => {
    const first = (await create({ name: 'Customs: chase' })).json()
    expectError(await create({ name: 'CUSTOMS: chase' }), 409, 'rule_name_taken', { name: 'CUSTOMS: chase' })
    const other = (await create({ name: 'Customs: other' })).json()
    expectError(await call('PATCH', `/rules/${other.id}`, { name: 'customs: CHASE' }), 409, 'rule_name_taken', {
      name: 'customs: CHASE',
    })

    const del = await call('DELETE', `/rules/${first.id}`)
    expect(del.statusCode, del.body).toBe(204)
    expectError(await call('GET', `/rules/${first.id}`), 404, 'rule_not_found', { rule_id: first.id })
    expect((await create({ name: 'Customs: chase' })).statusCode).toBe(201)
    // Soft: the versions stay for the execution log.
    const kept = await db.selectFrom('rule_versions').select('version').where('rule_id', '=', first.id).execute()
    expect(kept).toEqual([{ version: 1 }])
  })

  it('refuses a rule that does not compile with the line and column of each problem, and writes nothing', async () => {
    const rulesBefore = (await call('GET', '/rules')).json().data.length
    const res = await create({ name: 'Broken', source: "IF case_type = 'Damaged'\nTHEN explode('now')." })
    expect(res.statusCode, res.body).toBe(422)
    const { error } = res.json()
    expect(error.code).toBe('rule_invalid')
    expect(error.details.problems[0]).toMatchObject({ line: 2, column: 6, message: expect.any(String) })
    expect((await call('GET', '/rules')).json().data).toHaveLength(rulesBefore)

    const bad = await call('PATCH', `/rules/${(await create({})).json().id}`, { source: 'THEN nothing' })
    expect([bad.statusCode, bad.json().error.code]).toEqual([422, 'rule_invalid'])
  })

  it('refuses a source line the rules file would read as a rule of its own', async () => {
    const res = await create({ source: `${damaged}\n# name: sneaky` })
    expectError(res, 422, 'rule_invalid', {
      problems: [{ line: 2, column: 1, end_line: 2, end_column: 8, message: expect.stringContaining('# name:') }],
    })
  })

  it('refuses bad input with 400s, never 500s', async () => {
    const { id } = (await create({})).json()
    for (const [method, url, body] of [
      ['POST', '/rules', { name: '', source: damaged }],
      ['POST', '/rules', { name: 'x', source: 'x'.repeat(10_001) }],
      ['POST', '/rules', { name: ' padded ', source: damaged }],
      ['POST', '/rules', { name: 'x', source: damaged, mode: 'loud' }],
      ['POST', '/rules', { name: 'x', source: damaged, priority: -1 }],
      ['PATCH', `/rules/${id}`, {}],
      ['GET', '/rules/not-a-uuid', undefined],
      ['GET', `/rules/${id}/versions/0`, undefined],
      ['POST', '/rules/validate', { source: 'x'.repeat(10_001) }],
    ] as const) {
      const res = await call(method, url, body)
      expect([res.statusCode, res.json().error.code], `${method} ${url}`).toEqual([400, 'validation_failed'])
    }
  })

  it("keeps each workspace's rules to itself", async () => {
    const { id } = (await create({})).json()
    const foreign = { authorization: `Bearer ${other.keys.admin}` }
    expectError(await call('GET', `/rules/${id}`, undefined, foreign), 404, 'rule_not_found', { rule_id: id })
    expectError(await call('PATCH', `/rules/${id}`, { mode: 'active' }, foreign), 404, 'rule_not_found', {
      rule_id: id,
    })
    expectError(await call('DELETE', `/rules/${id}`, undefined, foreign), 404, 'rule_not_found', { rule_id: id })
    expectError(await call('GET', `/rules/${id}/versions`, undefined, foreign), 404, 'rule_not_found', { rule_id: id })
    const theirs = (await call('GET', '/rules', undefined, foreign)).json().data
    expect(theirs.map((r: { id: string }) => r.id)).not.toContain(id)
  })

  it('lets an agent read rules and validate drafts, not write them', async () => {
    const { id } = (await create({})).json()
    expect((await call('GET', '/rules', undefined, 'agent')).statusCode).toBe(200)
    expect((await call('GET', `/rules/${id}`, undefined, 'agent')).statusCode).toBe(200)
    expect((await call('POST', '/rules/validate', { source: damaged }, 'agent')).statusCode).toBe(200)
    const post = await create({}, 'agent')
    expect([post.statusCode, post.json().error.code]).toEqual([403, 'forbidden'])
    const patch = await call('PATCH', `/rules/${id}`, { mode: 'active' }, 'agent')
    expect([patch.statusCode, patch.json().error.code]).toEqual([403, 'forbidden'])
    expect((await call('DELETE', `/rules/${id}`, undefined, 'viewer')).statusCode).toBe(403)
  })
})

describe('validate', () => {
  it('answers the problems of a draft, or its triggers, fields and actions', async () => {
    const ok = await call('POST', '/rules/validate', { source: escalating })
    expect(ok.statusCode, ok.body).toBe(200)
    expect(ok.json()).toMatchObject({ ok: true, problems: [] })
    expect(ok.json().actions.map((a: { name: string }) => a.name)).toEqual(['notify', 'add_tag'])

    const bad = await call('POST', '/rules/validate', { source: "IF case_type = 'Damaged'\nTHEN explode('now')." })
    expect(bad.statusCode).toBe(200)
    expect(bad.json()).toMatchObject({ ok: false, triggers: [], actions: [], problems: [{ line: 2, column: 6 }] })
  })
})

describe('settings', () => {
  it('reads the loop protection and changes it with rules.manage', async () => {
    expect((await call('GET', '/rule-settings', undefined, 'agent')).json()).toEqual({
      max_depth: 3,
      repeat_limit: 5,
      repeat_window_minutes: 60,
    })
    const res = await call('PATCH', '/rule-settings', { max_depth: 2, repeat_window_minutes: 30 })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toEqual({ max_depth: 2, repeat_limit: 5, repeat_window_minutes: 30 })
    const refused = await call('PATCH', '/rule-settings', { max_depth: 11 })
    expect([refused.statusCode, refused.json().error.code]).toEqual([400, 'validation_failed'])
    expect((await call('PATCH', '/rule-settings', { max_depth: 1 }, 'agent')).statusCode).toBe(403)
  })
})

describe('the dry run', () => {
  it('reports on a draft or a saved rule over a range, and refuses bad ranges and bad drafts', async () => {
    const from = '2026-11-01T00:00:00.000Z'
    const to = '2026-11-08T00:00:00.000Z'
    const res = await call('POST', '/rules/test', { source: damaged, from, to })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ from, to, truncated: false })
    const { id } = (await create({})).json()
    expect((await call('POST', '/rules/test', { rule_id: id, from, to }, 'agent')).statusCode).toBe(200)

    for (const body of [
      { from, to },
      { source: damaged, rule_id: id, from, to },
      { source: damaged, from: to, to: from },
      { source: damaged, from, to: '2027-03-01T00:00:00.000Z' },
      { source: damaged, from, to, limit: 20_001 },
    ]) {
      const r = await call('POST', '/rules/test', body)
      expect([r.statusCode, r.json().error.code], JSON.stringify(body)).toEqual([400, 'validation_failed'])
    }
    const broken = await call('POST', '/rules/test', { source: 'IF nothing', from, to })
    expect([broken.statusCode, broken.json().error.code]).toEqual([422, 'rule_invalid'])
    const foreign = await call('POST', '/rules/test', { rule_id: id, from, to }, other.keys.admin)
    expectError(foreign, 404, 'rule_not_found', { rule_id: id })
  })
})

describe('the execution log', () => {
  it('lists executions newest first with the rule name, filtered, a page at a time; crafted cursors are 400s', async () => {
    const rule = (await create({ name: 'Logged' })).json()
    const caseId = newId()
    const at = (i: number) => new Date(Date.UTC(2026, 10, 1, 12, 0, i))
    await db
      .insertInto('rule_executions')
      .values(
        [0, 1, 2, 3, 4].map((i) => ({
          merchant_id: m.id,
          id: newId(),
          rule_id: rule.id,
          rule_version: 1,
          outcome: i === 4 ? ('shadow' as const) : ('fired' as const),
          skip_reason: null,
          trigger: 'case_opened' as const,
          trigger_key: `e${i}`,
          event_id: null,
          event_type: 'case.opened',
          subject_key: caseId,
          case_id: i % 2 ? caseId : null,
          shipment_id: null,
          conditions: JSON.stringify([
            { field: 'case_type', op: '=', expected: 'damaged', seen: 'damaged', matched: true },
          ]),
          actions: JSON.stringify([{ action: 'add_tag', text: "add_tag('x')", status: 'done' }]),
          error: null,
          occurred_at: at(i),
          created_at: at(i),
        })),
      )
      .execute()
    const first = await call('GET', `/rule-executions?rule_id=${rule.id}&limit=2`, undefined, 'agent')
    expect(first.statusCode, first.body).toBe(200)
    expect(first.json().data.map((e: { trigger_key: string }) => e.trigger_key)).toEqual(['e4', 'e3'])
    expect(first.json().data[0]).toMatchObject({ rule_name: 'Logged', outcome: 'shadow', rule_version: 1 })
    const second = await call('GET', `/rule-executions?rule_id=${rule.id}&limit=2&cursor=${first.json().next_cursor}`)
    const third = await call('GET', `/rule-executions?rule_id=${rule.id}&limit=2&cursor=${second.json().next_cursor}`)
    expect(second.json().data.map((e: { trigger_key: string }) => e.trigger_key)).toEqual(['e2', 'e1'])
    expect(third.json()).toMatchObject({ data: [{ trigger_key: 'e0' }], next_cursor: null })

    const byCase = await call('GET', `/rule-executions?case_id=${caseId}&outcome=fired`)
    expect(byCase.json().data.map((e: { trigger_key: string }) => e.trigger_key)).toEqual(['e3', 'e1'])
    const ranged = await call(
      'GET',
      `/rule-executions?rule_id=${rule.id}&from=${at(1).toISOString()}&to=${at(3).toISOString()}`,
    )
    expect(ranged.json().data.map((e: { trigger_key: string }) => e.trigger_key)).toEqual(['e2', 'e1'])
    expect((await call('GET', `/rule-executions?rule_id=${rule.id}`, undefined, other.keys.admin)).json().data).toEqual(
      [],
    )

    const stats = (await call('GET', `/rules/${rule.id}`)).json().stats
    expect(stats).toMatchObject({ fired: 0, shadow: 0 }) // November is over 30 days before now

    for (const cursor of [
      'garbage',
      Buffer.from('[1,2]').toString('base64url'),
      Buffer.from('{}').toString('base64url'),
    ]) {
      const r = await call('GET', `/rule-executions?cursor=${cursor}`)
      expect([r.statusCode, r.json().error.code], cursor).toEqual([400, 'validation_failed'])
    }
  })
})

describe('seeding', () => {
  it('skips, and reports, a pack rule the workspace cannot run, and writes the others', async () => {
    const merchantId = other.id
    const now = new Date()
    await db.updateTable('rules').set({ deleted_at: now }).where('merchant_id', '=', merchantId).execute()
    await db.updateTable('rule_settings').set({ seeded_at: null }).where('merchant_id', '=', merchantId).execute()
    // Renamed before the pack was written: the rule naming it cannot compile here.
    await db
      .updateTable('teams')
      .set({ name: 'Big Spenders' })
      .where('merchant_id', '=', merchantId)
      .where('name', '=', 'HighValue')
      .execute()
    const result = await db.transaction().execute((trx) => ensureDefaultRules(trx, merchantId, now))
    expect(result.created).toEqual(defaultPack.map((p) => p.name).filter((n) => n !== 'Route high-value electronics'))
    expect(result.skipped).toEqual([
      {
        name: 'Route high-value electronics',
        reason: expect.stringContaining('HighValue'),
        details: { problems: [expect.objectContaining({ line: 1, message: expect.stringContaining('HighValue') })] },
      },
    ])
  })
})
