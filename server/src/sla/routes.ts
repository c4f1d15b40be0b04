import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { inTransaction } from '../auth/actor.js'
import { deleteHandler } from '../http/handlers.js'
import { routeOptions } from '../http/route.js'
import { getCaseSla } from './clocks/view.js'
import { applySlaPolicy, setSlaTarget } from './clocks/service.js'
import { previewPolicy } from './policies/match.js'
import * as policies from './policies/service.js'
import { attainmentReport } from './report.js'
import {
  ApplyBody,
  AttainmentQuery,
  AttainmentView,
  CaseParams,
  CaseSlaView,
  CaseTargetParams,
  CreatePolicyBody,
  PolicyParams,
  PolicyVersionParams,
  PolicyVersionView,
  PolicyView,
  PreviewBody,
  PreviewView,
  SettingsBody,
  SettingsView,
  TargetBody,
  UpdatePolicyBody,
} from './schemas.js'
import { getSlaSettings, updateSlaSettings } from './settings.js'

const route = routeOptions('sla')

const examplePolicy = {
  name: 'Customs holds',
  position: 30,
  tier: 'low',
  conditions: [{ field: 'case_type', op: 'in', values: ['customs_hold'] }],
  targets: [
    {
      target: 'resolution',
      minutes: 2880,
      calendar_id: null,
      steps: [{ percent: 75, actions: [{ type: 'notify', to: 'assignee' }] }],
    },
  ],
  alert_calendar_id: null,
}

/** SLA policies (versioned), the clocks on a case, settings and the attainment report. */
export const slaRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/sla/policies',
    route('cases.read', {
      summary: 'SLA policies in the order they are tried (the fallback last)',
      response: { 200: Type.Object({ data: Type.Array(PolicyView) }) },
    }),
    async (req) => ({ data: await policies.listPolicies(app.db, req.actor.merchantId) }),
  )

  app.post(
    '/sla/policies',
    route(
      'sla.manage',
      { summary: 'A policy: its first version is live at once', body: CreatePolicyBody, response: { 201: PolicyView } },
      examplePolicy,
    ),
    async (req, reply) => {
      const { name, position, ...definition } = req.body
      const created = await inTransaction(app.db, req, (trx, ctx, now) =>
        policies.createPolicy(trx, ctx, { name, position, definition }, now),
      )
      return reply.status(201).send(created)
    },
  )

  app.post(
    '/sla/policies/preview',
    route('cases.read', {
      summary: 'Which policy applies to this case? Each policy tried, each condition judged',
      body: PreviewBody,
      response: { 200: PreviewView },
    }),
    async (req) => previewPolicy(app.db, req.actor.merchantId, req.body.case_id),
  )

  app.get(
    '/sla/policies/:id',
    route('cases.read', {
      summary: 'One SLA policy: its draft and live version',
      params: PolicyParams,
      response: { 200: PolicyView },
    }),
    async (req) => policies.getPolicy(app.db, req.actor.merchantId, req.params.id),
  )

  app.put(
    '/sla/policies/:id',
    route(
      'sla.manage',
      {
        summary: 'Rename or reorder a policy, or replace its draft (publish to make it live)',
        params: PolicyParams,
        body: UpdatePolicyBody,
        response: { 200: PolicyView },
      },
      { name: 'Renamed policy' },
    ),
    async (req) =>
      inTransaction(app.db, req, (trx, ctx, now) => policies.updatePolicy(trx, ctx, req.params.id, req.body, now)),
  )

  app.delete(
    '/sla/policies/:id',
    route('sla.manage', {
      summary: 'Delete a policy (not the fallback)',
      params: PolicyParams,
      response: { 204: Type.Null() },
    }),
    deleteHandler((req) =>
      inTransaction(app.db, req, (trx, ctx, now) => policies.deletePolicy(trx, ctx, req.params.id, now)),
    ),
  )

  app.post(
    '/sla/policies/:id/publish',
    route('sla.manage', {
      summary: 'Publish the draft as the next version, live for new cases (running cases keep theirs)',
      params: PolicyParams,
      response: { 200: PolicyView },
    }),
    async (req) => inTransaction(app.db, req, (trx, ctx, now) => policies.publishPolicy(trx, ctx, req.params.id, now)),
  )

  app.get(
    '/sla/policies/:id/versions',
    route('cases.read', {
      summary: "A policy's published versions",
      params: PolicyParams,
      response: { 200: Type.Object({ data: Type.Array(PolicyVersionView) }) },
    }),
    async (req) => ({ data: await policies.listPolicyVersions(app.db, req.actor.merchantId, req.params.id) }),
  )

  app.get(
    '/sla/policies/:id/versions/:version',
    route('cases.read', {
      summary: 'One published version',
      params: PolicyVersionParams,
      response: { 200: PolicyVersionView },
    }),
    async (req) => policies.getPolicyVersion(app.db, req.actor.merchantId, req.params.id, req.params.version),
  )

  app.get(
    '/sla/settings',
    route('cases.read', {
      summary: 'SLA settings: the statuses that pause the clocks',
      response: { 200: SettingsView },
    }),
    async (req) => getSlaSettings(app.db, req.actor.merchantId),
  )

  app.put(
    '/sla/settings',
    route(
      'sla.manage',
      { summary: 'Change the SLA settings', body: SettingsBody, response: { 200: SettingsView } },
      { pause_statuses: ['waiting_customer'] },
    ),
    async (req) => inTransaction(app.db, req, (trx, ctx, now) => updateSlaSettings(trx, ctx, req.body, now)),
  )

  app.get(
    '/sla/reports/attainment',
    route('analytics.read', {
      summary: 'SLA attainment per target: met, breached, running and breach rate, by group',
      querystring: AttainmentQuery,
      response: { 200: AttainmentView },
    }),
    async (req) =>
      attainmentReport(app.db, req.actor.merchantId, req.query.group_by, {
        from: req.query.from ? new Date(req.query.from) : undefined,
        to: req.query.to ? new Date(req.query.to) : undefined,
      }),
  )

  app.get(
    '/cases/:id/sla',
    route('cases.read', {
      summary: "A case's SLA: its policy and every target's clock (due, share spent, time left, paused time)",
      params: CaseParams,
      response: { 200: CaseSlaView },
    }),
    async (req) => getCaseSla(app.db, req.actor.merchantId, req.params.id, new Date()),
  )

  app.post(
    '/cases/:id/sla/apply',
    route(
      'cases.write',
      {
        summary: 'Re-apply a policy (the one given, or the one that matches now), keeping the time already spent',
        params: CaseParams,
        body: ApplyBody,
        response: { 200: CaseSlaView },
      },
      {},
    ),
    async (req) => {
      await inTransaction(app.db, req, (trx, ctx, now) =>
        applySlaPolicy(trx, ctx, req.params.id, { policyId: req.body.policy_id }, now),
      )
      return getCaseSla(app.db, req.actor.merchantId, req.params.id, new Date())
    },
  )

  app.put(
    '/cases/:id/sla/targets/:target',
    route(
      'cases.write',
      {
        summary: 'Set one target on this case (e.g. resolution in 24 h), keeping the time it has spent',
        params: CaseTargetParams,
        body: TargetBody,
        response: { 200: CaseSlaView },
      },
      { minutes: 1440, business: false },
    ),
    async (req) => {
      const b = req.body
      await inTransaction(app.db, req, (trx, ctx, now) =>
        setSlaTarget(
          trx,
          ctx,
          req.params.id,
          req.params.target,
          { minutes: b.minutes, business: b.business, calendarId: b.calendar_id },
          now,
        ),
      )
      return getCaseSla(app.db, req.actor.merchantId, req.params.id, new Date())
    },
  )
}
