// The action catalogue: each action's signature (positional order, named arguments and their aliases), the names
// merchants write for it, and its resolution into ActionArgs (types.ts) with the workspace's names.

import type { ActionArg, ActionArgs, ActionCall, ActionName, CompiledAction, Literal } from '../types.js'
import { normaliseName } from './fields.js'
import {
  booleanOf,
  caseTypeOf,
  choiceOf,
  closest,
  type CompileCtx,
  durationOf,
  evidenceTypeOf,
  headSpan,
  matchKey,
  priorityOf,
  problem,
  rootCauseOf,
  statusOf,
  teamOf,
  templateOf,
  textOf,
  userOf,
} from './names.js'

type Param = { name: string; aliases?: string[]; required?: boolean; variadic?: boolean }
type Bound = Map<string, Literal[]>

export type ActionDef<N extends ActionName = ActionName> = {
  name: N
  aliases: string[]
  params: Param[]
  /** `TO customer [VIA …]` is allowed (send_template) */
  to?: boolean
  /** `WITH <duration> deadline` is allowed */
  deadline?: boolean
  /** The service function the action calls (docs/rules.md) */
  service: string
  resolve(ctx: CompileCtx, args: Bound, call: ActionCall): Promise<ActionArgs[N] | null>
}

const strategies = ['round_robin', 'least_loaded'] as const
const teamStrategies = ['round_robin', 'least_loaded', 'team_only'] as const
const channels = ['email', 'sms', 'whatsapp'] as const
const slaTargets = ['resolution', 'first_response', 'next_response'] as const
const notifyTargets = ['team_lead', 'assignee', 'followers'] as const
export const defaultDeadlineMinutes = 2880

const one = (args: Bound, name: string) => args.get(name)?.[0]

/** Optional argument: undefined when absent, null when present but wrong (a problem is recorded). */
async function opt<T>(args: Bound, name: string, read: (l: Literal) => Promise<T | null> | T | null) {
  const l = one(args, name)
  return l === undefined ? undefined : read(l)
}

const def = <N extends ActionName>(d: ActionDef<N>) => d

export const actions: ActionDef[] = [
  def({
    name: 'create_case',
    aliases: ['open_case'],
    params: [{ name: 'type', aliases: ['case_type'], required: true }, { name: 'priority' }, { name: 'subject' }],
    service: 'cases openCase (or updates the open case of that type for the shipment)',
    async resolve(ctx, args) {
      const caseType = await caseTypeOf(ctx, one(args, 'type')!)
      const priority = await opt(args, 'priority', (l) => priorityOf(ctx, l))
      const subject = await opt(args, 'subject', (l) => textOf(ctx, l, 'subject'))
      if (!caseType || priority === null || subject === null) return null
      return { case_type: caseType, ...(priority ? { priority } : {}), ...(subject ? { subject } : {}) }
    },
  }),
  def({
    name: 'update_case',
    aliases: [],
    params: [
      { name: 'subject' },
      { name: 'priority' },
      { name: 'team', aliases: ['agent_group', 'group'] },
      { name: 'root_cause' },
      { name: 'fault_party' },
    ],
    service: 'cases updateCase',
    async resolve(ctx, args, call) {
      if (args.size === 0) {
        problem(ctx, call.span, 'update_case needs at least one of subject, priority, team, root_cause, fault_party')
        return null
      }
      const subject = await opt(args, 'subject', (l) => textOf(ctx, l, 'subject'))
      const priority = await opt(args, 'priority', (l) => priorityOf(ctx, l))
      const team = await opt(args, 'team', (l) =>
        l.kind === 'word' && l.value.toLowerCase() === 'none' ? 'none' : teamOf(ctx, l),
      )
      const rootCause = await opt(args, 'root_cause', (l) => rootCauseOf(ctx, l))
      const faultParty = await opt(args, 'fault_party', (l) => textOf(ctx, l, 'fault party'))
      if ([subject, priority, team, rootCause, faultParty].includes(null)) return null
      return {
        ...(subject ? { subject } : {}),
        ...(priority ? { priority } : {}),
        ...(team ? { team_id: team === 'none' ? null : team } : {}),
        ...(rootCause ? { root_cause: rootCause } : {}),
        ...(faultParty ? { fault_party: faultParty } : {}),
      }
    },
  }),
  def({
    name: 'set_sla',
    aliases: [],
    params: [
      { name: 'duration', aliases: ['target_time', 'within'], required: true },
      { name: 'target' },
      { name: 'business' },
    ],
    service: 'sla setCaseTarget',
    async resolve(ctx, args) {
      const minutes = durationOf(ctx, one(args, 'duration')!, 'the SLA')
      const target = await opt(args, 'target', (l) => choiceOf(ctx, l, 'SLA target', slaTargets))
      const business = await opt(args, 'business', (l) => booleanOf(ctx, l, 'business'))
      if (minutes === null || target === null || business === null) return null
      return { minutes, target: target ?? 'resolution', business: business ?? false }
    },
  }),
  def({
    name: 'set_priority',
    aliases: [],
    params: [{ name: 'priority', required: true }],
    service: 'cases updateCase (priority)',
    async resolve(ctx, args) {
      const priority = await priorityOf(ctx, one(args, 'priority')!)
      return priority ? { priority } : null
    },
  }),
  def({
    name: 'assign',
    aliases: ['route', 'assign_case'],
    params: [
      { name: 'team', aliases: ['agent_group', 'group'] },
      { name: 'strategy' },
      { name: 'user', aliases: ['agent', 'assignee'] },
    ],
    service: 'cases assignCase (team and strategy through the routing module)',
    async resolve(ctx, args, call) {
      const user = one(args, 'user')
      const team = one(args, 'team')
      const strategy = one(args, 'strategy')
      if (user && (team || strategy)) {
        problem(ctx, user.span, 'assign takes a user, or a team and a strategy, not both')
        return null
      }
      if (user) {
        const userId = await userOf(ctx, user)
        return userId ? { user_id: userId } : null
      }
      if (team) {
        const teamId = await teamOf(ctx, team)
        const how = strategy ? choiceOf(ctx, strategy, 'strategy', teamStrategies) : 'team_only'
        return teamId && how ? { team_id: teamId, strategy: how } : null
      }
      if (strategy) {
        const how = choiceOf(ctx, strategy, 'strategy', strategies)
        return how ? { strategy: how } : null
      }
      problem(ctx, call.span, 'assign needs a team, a user or a strategy (round_robin, least_loaded)')
      return null
    },
  }),
  def({
    name: 'notify',
    aliases: ['auto_notify', 'alert'],
    params: [
      { name: 'to', aliases: ['who'] },
      { name: 'team', aliases: ['agent_group', 'group'] },
      { name: 'user', aliases: ['agent'] },
      { name: 'message' },
    ],
    service: 'notifications notify (team lead, team, assignee, followers or a user)',
    async resolve(ctx, args, call) {
      const given = (['to', 'team', 'user'] as const).filter((n) => args.has(n))
      if (given.length !== 1) {
        problem(ctx, call.span, 'notify needs exactly one of: team_lead, assignee, followers, team=…, user=…')
        return null
      }
      const message = await opt(args, 'message', (l) => textOf(ctx, l, 'message'))
      if (message === null) return null
      const extra = message ? { message } : {}
      const l = one(args, given[0]!)!
      if (given[0] === 'team') {
        const teamId = await teamOf(ctx, l)
        return teamId ? { to: { kind: 'team', team_id: teamId }, ...extra } : null
      }
      if (given[0] === 'user') {
        const userId = await userOf(ctx, l)
        return userId ? { to: { kind: 'user', user_id: userId }, ...extra } : null
      }
      // notify('HighValue'): a bare recipient that is no role is a team, then a person
      const name = l.kind === 'string' || l.kind === 'word' ? l.value : null
      const role =
        name === null
          ? null
          : matchKey(
              name,
              notifyTargets.map((key) => ({ key, label: key })),
            )
      if (role) return { to: { kind: role as (typeof notifyTargets)[number] }, ...extra }
      const teamId = name === null ? null : await ctx.resolver.team(name)
      if (teamId) return { to: { kind: 'team', team_id: teamId }, ...extra }
      const userId = name === null ? null : await ctx.resolver.user(name)
      if (userId) return { to: { kind: 'user', user_id: userId }, ...extra }
      problem(ctx, l.span, `Unknown recipient '${name ?? ''}' (team_lead, assignee, followers, a team or a person)`)
      return null
    },
  }),
  def({
    name: 'add_tag',
    aliases: ['tag'],
    params: [{ name: 'tag', required: true }],
    service: 'cases addTags',
    async resolve(ctx, args) {
      const tag = textOf(ctx, one(args, 'tag')!, 'tag')
      return tag ? { tag } : null
    },
  }),
  def({
    name: 'remove_tag',
    aliases: ['untag'],
    params: [{ name: 'tag', required: true }],
    service: 'cases removeTags',
    async resolve(ctx, args) {
      const tag = textOf(ctx, one(args, 'tag')!, 'tag')
      return tag ? { tag } : null
    },
  }),
  def({
    name: 'send_template',
    aliases: ['send', 'send_message'],
    params: [{ name: 'template', aliases: ['name', 'purpose'], required: true }],
    to: true,
    service: 'messaging sendAutomatic (the customer, on the channels VIA names or the workspace order)',
    async resolve(ctx, args, call) {
      const template = await templateOf(ctx, one(args, 'template')!)
      let via: ActionArgs['send_template']['channels'] = null
      if (call.to) {
        if (call.to.target.toLowerCase() !== 'customer')
          problem(ctx, call.to.span, `Templates go TO customer, not '${call.to.target}'`)
        const picked = call.to.via.map((c) => normaliseName(c))
        const unknown = picked.filter((c) => !(channels as readonly string[]).includes(c))
        if (unknown.length)
          problem(ctx, call.to.span, `Unknown channel '${unknown[0]}' (one of ${channels.join(', ')})`)
        if (picked.length) via = [...new Set(picked)] as (typeof channels)[number][]
      }
      return template ? { template_id: template.id, purpose: template.purpose, channels: via } : null
    },
  }),
  def({
    name: 'request_attachment',
    aliases: ['request_evidence', 'request_attachments'],
    params: [{ name: 'types', aliases: ['type'], required: true, variadic: true }, { name: 'message' }],
    deadline: true,
    service: 'evidence-requests requestEvidence',
    async resolve(ctx, args, call) {
      const types: string[] = []
      let anyPhoto = false
      let ok = true
      for (const l of args.get('types') ?? []) {
        if ((l.kind === 'string' || l.kind === 'word') && /^photos?$/i.test(l.value.trim())) anyPhoto = true
        else {
          const key = await evidenceTypeOf(ctx, l)
          if (key) types.push(key)
          else ok = false
        }
      }
      const message = await opt(args, 'message', (l) => textOf(ctx, l, 'message'))
      const deadline = call.with ? durationOf(ctx, call.with.deadline, 'the deadline') : defaultDeadlineMinutes
      if (!ok || message === null || deadline === null) return null
      return {
        types: [...new Set(types)],
        any_photo: anyPhoto,
        deadline_minutes: deadline,
        ...(message ? { message } : {}),
      }
    },
  }),
  def({
    name: 'escalate',
    aliases: ['escalate_case'],
    params: [{ name: 'team', aliases: ['agent_group', 'group'] }, { name: 'reason' }],
    service: 'cases escalateCase',
    async resolve(ctx, args) {
      const team = await opt(args, 'team', (l) => teamOf(ctx, l))
      const reason = await opt(args, 'reason', (l) => textOf(ctx, l, 'reason'))
      if (team === null || reason === null) return null
      return { ...(team ? { team_id: team } : {}), ...(reason ? { reason } : {}) }
    },
  }),
  def({
    name: 'set_status',
    aliases: [],
    params: [{ name: 'status', required: true }],
    service: 'cases changeStatus',
    async resolve(ctx, args) {
      const status = await statusOf(ctx, one(args, 'status')!)
      return status ? { status } : null
    },
  }),
  def({
    name: 'set_root_cause',
    aliases: [],
    params: [{ name: 'root_cause', aliases: ['cause'], required: true }, { name: 'fault_party' }],
    service: 'cases updateCase (root cause)',
    async resolve(ctx, args) {
      const rootCause = await rootCauseOf(ctx, one(args, 'root_cause')!)
      const faultParty = await opt(args, 'fault_party', (l) => textOf(ctx, l, 'fault party'))
      if (!rootCause || faultParty === null) return null
      return { root_cause: rootCause, ...(faultParty ? { fault_party: faultParty } : {}) }
    },
  }),
  def({
    name: 'link_order',
    aliases: [],
    params: [{ name: 'number', aliases: ['order', 'order_number'] }],
    service: 'cases linkRecords',
    async resolve(ctx, args) {
      const number = await opt(args, 'number', (l) => textOf(ctx, l, 'order number'))
      if (number === null) return null
      return number ? { number } : {}
    },
  }),
  def({
    name: 'check_evidence',
    aliases: ['evidence_check'],
    params: [{ name: 'for', aliases: ['action'], required: true }, { name: 'generate' }, { name: 'request' }],
    deadline: true,
    service: 'evidence-requests checkEvidence (generates what it can, requests what is missing)',
    async resolve(ctx, args, call) {
      const name = textOf(ctx, one(args, 'for')!, 'evidence check')
      const generate = await opt(args, 'generate', (l) => booleanOf(ctx, l, 'generate'))
      const request = await opt(args, 'request', (l) => booleanOf(ctx, l, 'request'))
      const deadline = call.with ? durationOf(ctx, call.with.deadline, 'the deadline') : defaultDeadlineMinutes
      if (!name || generate === null || request === null || deadline === null) return null
      return {
        for: normaliseName(name),
        generate: generate ?? true,
        request: request ?? true,
        deadline_minutes: deadline,
      }
    },
  }),
]

const byName = new Map(actions.flatMap((a) => [a.name, ...a.aliases].map((n) => [n, a] as const)))

/** `auto-notify`, `Auto_Notify` and `notify` name one action: case-insensitive, `-` and `_` alike. */
export const findAction = (nameText: string): ActionDef | undefined => byName.get(normaliseName(nameText))

/** Binds positional and named arguments to the signature; problems for unknown, duplicate, extra or missing ones. */
function bind(ctx: CompileCtx, def: ActionDef, call: ActionCall): Bound | null {
  const bound: Bound = new Map()
  const before = ctx.problems.length
  const paramOf = (n: string) => def.params.find((p) => p.name === n || p.aliases?.includes(n))
  let next = 0
  const positional = (arg: ActionArg) => {
    // assign(round_robin): a bare strategy is the strategy, not a team
    if (def.name === 'assign' && arg.value.kind === 'word' && /^(round_robin|least_loaded)$/i.test(arg.value.value))
      return def.params.find((p) => p.name === 'strategy')
    const variadic = def.params[next - 1]?.variadic ? def.params[next - 1] : undefined
    return variadic ?? def.params[next++]
  }
  for (const arg of call.args) {
    const param = arg.name === null ? positional(arg) : paramOf(normaliseName(arg.name))
    if (!param) {
      problem(
        ctx,
        arg.span,
        arg.name === null
          ? `${def.name} takes at most ${def.params.length} argument${def.params.length === 1 ? '' : 's'}`
          : `${def.name} has no argument '${arg.name}' (it takes ${def.params.map((p) => p.name).join(', ')})`,
      )
      continue
    }
    const seen = bound.get(param.name)
    if (seen && !param.variadic) problem(ctx, arg.span, `${param.name} is given twice`)
    else bound.set(param.name, [...(seen ?? []), arg.value])
  }
  for (const p of def.params)
    if (p.required && !bound.has(p.name)) problem(ctx, call.span, `${def.name} needs ${p.name}`)
  if (call.to && !def.to) problem(ctx, call.to.span, `${def.name} takes no TO …: only send_template does`)
  if (call.with && !def.deadline)
    problem(ctx, call.with.span, `${def.name} takes no WITH … deadline: request_attachment and check_evidence do`)
  return ctx.problems.length === before ? bound : null
}

/** Resolves one action call; null when it has problems (recorded in ctx). */
export async function compileAction(ctx: CompileCtx, call: ActionCall, source: string): Promise<CompiledAction | null> {
  const def = findAction(call.nameText)
  if (!def) {
    const guess = closest(normaliseName(call.nameText), [...byName.keys()])
    problem(
      ctx,
      headSpan(call.span, call.nameText.length),
      `Unknown action '${call.nameText}'${guess ? ` (did you mean ${guess}?)` : ''}`,
    )
    return null
  }
  const bound = bind(ctx, def, call)
  if (!bound) return null
  const args = await def.resolve(ctx, bound, call)
  if (!args) return null
  const text = source.slice(call.span.start.offset, call.span.end.offset)
  return { name: def.name, args, text, span: call.span } as CompiledAction
}
