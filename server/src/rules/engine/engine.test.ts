import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { startServiceTest } from '../../../test/harness.js'
import { runDueJobs } from '../../../test/jobs.js'
import { openCase, updateCase } from '../../cases/service.js'
import { newId } from '../../ids.js'
import type { DomainEvent } from '../../jobs/events.js'
import { modules } from '../../registry.js'
import type { CompiledRule, Condition, RuleMode } from '../types.js'
import { fireDueActions } from '../../jobs/clock-runner.js'
import { clockHandlers } from '../../jobs/worker.js'
import { listSlaWatches } from '../../sla/clocks/watches.js'
import { createRule } from '../service/rules.js'
import { dryRunRule } from './dry-run.js'
import { handleEvent, slaThresholdTask } from './handle.js'

const { env, m, ctx, tx } = await startServiceTest()
const db = env.ctx.db
const span = { start: { offset: 0, line: 1, column: 1 }, end: { offset: 0, line: 1, column: 1 } }

const caseTypeIs = (key: string): Condition => ({
  kind: 'compare',
  field: 'case_type',
  fieldText: 'case_type',
  op: '=',
  value: { kind: 'string', value: key, span },
  resolved: key,
  span,
})
const tagging = (condition: Condition, tag: string, triggers: CompiledRule['triggers']): CompiledRule => ({
  format: 1,
  condition,
  actions: [{ name: 'add_tag', args: { tag }, text: `add_tag('${tag}')`, span }],
  triggers,
  fields: [condition.kind === 'compare' ? (condition.field as CompiledRule['fields'][number]) : 'case_type'],
  thresholds: [],
})

let priority = 0
/** A rule as the API would store it (the text is only what the log shows here), and the revision moved. */
async function putRule(name: string, compiled: CompiledRule, mode: RuleMode = 'active', stop = false) {
  const id = newId()
  const now = new Date()
  await tx(async (trx) => {
    await trx
      .insertInto('rules')
      .values({
        merchant_id: m.id,
        id,
        name,
        priority: (priority += 10),
        mode,
        stop_processing: stop,
        version: 1,
        source: name,
        compiled: JSON.stringify(compiled),
        triggers: compiled.triggers,
        pack: null,
        created_at: now,
        updated_at: now,
        deleted_at: null,
      })
      .execute()
    await trx
      .insertInto('rule_settings')
      .values({ merchant_id: m.id, seeded_at: now })
      .onConflict((oc) => oc.column('merchant_id').doUpdateSet({ revision: sql`rule_settings.revision + 1` }))
      .execute()
  })
  return id
}

const openDamaged = () =>
  tx((trx) => openCase(trx, ctx, { caseType: 'damaged', subject: 'Cracked mug' }, new Date())).then((c) => c.id)
const tagsOf = async (caseId: string) =>
  (await db.selectFrom('cases').select('tags').where('id', '=', caseId).executeTakeFirstOrThrow()).tags
const executions = (caseId: string) =>
  db.selectFrom('rule_executions').selectAll().where('merchant_id', '=', m.id).where('case_id', '=', caseId).execute()
async function eventOf(caseId: string, type: string): Promise<DomainEvent> {
  const row = await db
    .selectFrom('outbox')
    .selectAll()
    .where('merchant_id', '=', m.id)
    .where('type', '=', type)
    .where('subject_id', '=', caseId)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow()
  return { ...row, occurred_at: row.occurred_at.toISOString() } as unknown as DomainEvent
}

const live = await putRule('Tag damaged', tagging(caseTypeIs('damaged'), 'damage-ack', ['case_opened']))
const shadow = await putRule('Pilot', tagging(caseTypeIs('damaged'), 'pilot', ['case_opened']), 'shadow')

describe('the rules engine', () => {
  it('acts once per event through the services, as the rule, on the timeline and the audit trail', async () => {
    const caseId = await openDamaged()
    await runDueJobs(env.ctx, modules)
    expect(await tagsOf(caseId)).toEqual(['damage-ack'])
    const runs = await executions(caseId)
    expect(runs.map((r) => [r.rule_id, r.outcome, r.trigger]).sort()).toEqual(
      [
        [live, 'fired', 'case_opened'],
        [shadow, 'shadow', 'case_opened'],
      ].sort(),
    )
    const fired = runs.find((r) => r.rule_id === live)!
    expect(fired.conditions).toEqual([
      { field: 'case_type', op: '=', expected: 'damaged', seen: 'damaged', matched: true },
    ])
    expect(fired.actions).toEqual([
      expect.objectContaining({ action: 'add_tag', text: "add_tag('damage-ack')", status: 'done' }),
    ])
    expect(runs.find((r) => r.rule_id === shadow)!.actions).toEqual([
      { action: 'add_tag', text: "add_tag('pilot')", status: 'would' },
    ])
    const entry = await db
      .selectFrom('case_timeline')
      .selectAll()
      .where('merchant_id', '=', m.id)
      .where('case_id', '=', caseId)
      .where('type', '=', 'rule')
      .executeTakeFirstOrThrow()
    expect([entry.actor_type, entry.actor_id]).toEqual(['rule', live])
    const audit = await db
      .selectFrom('audit_entries')
      .select(['actor_type', 'actor_id', 'action'])
      .where('merchant_id', '=', m.id)
      .where('entity_id', '=', caseId)
      .where('actor_type', '=', 'rule')
      .execute()
    expect(audit).toEqual([{ actor_type: 'rule', actor_id: live, action: 'case.updated' }])

    // The outbox delivers at least once: the same event again repeats nothing.
    await handleEvent(env.ctx, await eventOf(caseId, 'case.opened'))
    expect(await executions(caseId)).toHaveLength(2)
    expect(await tagsOf(caseId)).toEqual(['damage-ack'])
  })

  it('skips a rule too deep in a chain of rule-caused events, and says so', async () => {
    const caseId = await openDamaged()
    await db.updateTable('outbox').set({ rule_depth: 3 }).where('subject_id', '=', caseId).execute()
    await runDueJobs(env.ctx, modules)
    const fired = (await executions(caseId)).find((r) => r.rule_id === live)!
    expect([fired.outcome, fired.skip_reason]).toEqual([
      'skipped',
      'loop depth: the event was caused by rules 3 deep (limit 3)',
    ])
    expect(await tagsOf(caseId)).toEqual([])
  })

  it('stops at a matching rule that stops processing, and limits repeats on one case', async () => {
    const priorityIs: Condition = { ...caseTypeIs('damaged'), field: 'priority', resolved: 'high' } as Condition
    const first = await putRule('Urgent first', tagging(priorityIs, 'hot', ['case_changed']), 'active', true)
    const second = await putRule('Never reached', tagging(priorityIs, 'cold', ['case_changed']))
    await db.updateTable('rule_settings').set({ repeat_limit: 1 }).where('merchant_id', '=', m.id).execute()
    const caseId = await openDamaged()
    for (const priority of ['high', 'low', 'high'] as const) {
      await tx((trx) => updateCase(trx, ctx, caseId, { priority }, new Date()))
      await runDueJobs(env.ctx, modules)
    }
    const runs = (await executions(caseId)).filter((r) => r.trigger === 'case_changed')
    expect(runs.map((r) => [r.rule_id, r.outcome])).toEqual([
      [first, 'fired'],
      [first, 'skipped'],
    ])
    expect(runs[1]!.skip_reason).toBe('repeat limit: fired 1 times on this case in 60 minutes')
    expect(runs.some((r) => r.rule_id === second)).toBe(false)
    expect(await tagsOf(caseId)).toEqual(['damage-ack', 'hot'])
  })

  it('dry-runs a draft over stored events without writing anything', async () => {
    await new Promise((r) => setTimeout(r, 5))
    const from = new Date()
    const caseId = await openDamaged()
    await tx((trx) => openCase(trx, ctx, { caseType: 'other', subject: 'Question' }, new Date()))
    const before = await db
      .selectFrom('rule_executions')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst()
    const report = await dryRunRule(env.ctx, m.id, tagging(caseTypeIs('damaged'), 'draft', ['case_opened']), {
      from,
      to: new Date(Date.now() + 60_000),
    })
    expect(report).toMatchObject({ events_scanned: 2, evaluations: 2, matched: 1, cases_opened: 0, cases_changed: 1 })
    expect(report.actions).toEqual({ add_tag: 1 })
    expect(report.samples.map((s) => [s.case_id, s.event_type, s.actions[0]!.status])).toEqual([
      [caseId, 'case.opened', 'would'],
    ])
    expect(await tagsOf(caseId)).toEqual([])
    expect(
      await db
        .selectFrom('rule_executions')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst(),
    ).toEqual(before)
  })

  it('arms a newly saved SLA rule on the cases already open, and fires it when the threshold passes', async () => {
    const caseId = await openDamaged()
    await runDueJobs(env.ctx, modules)
    await tx((trx) =>
      createRule(
        trx,
        ctx,
        { name: 'Half gone', source: "IF SLA_elapsed >= 50% THEN add_tag('half')", mode: 'active' },
        new Date(),
      ),
    )
    await runDueJobs(env.ctx, modules)
    const watches = (await listSlaWatches(db, m.id, caseId)).filter((w) => w.task === slaThresholdTask)
    expect(watches.map((w) => [w.target, w.percent])).toEqual([['resolution', 50]])
    await fireDueActions(env.ctx, clockHandlers(modules), () => new Date(Date.now() + 30 * 86_400_000))
    await runDueJobs(env.ctx, modules)
    expect(await tagsOf(caseId)).toContain('half')
  })
})
