import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { inTransaction } from '../auth/actor.js'
import { AppError } from '../errors.js'
import { contentDisposition } from '../http/content-disposition.js'
import { deleteHandler } from '../http/handlers.js'
import { routeOptions } from '../http/route.js'
import { Page } from '../http/schemas.js'
import {
  CreateRuleBody,
  DryRunView,
  ExecutionQuery,
  ExecutionView,
  ImportQuery,
  ImportView,
  RuleParams,
  RulesFile,
  RuleVersionParams,
  RuleVersionView,
  RuleView,
  SettingsBody,
  SettingsView,
  TestBody,
  UpdateRuleBody,
  ValidateBody,
  ValidateView,
} from './schemas.js'
import { listExecutions } from './service/executions.js'
import * as rules from './service/rules.js'
import { getRuleSettings, updateRuleSettings } from './service/settings.js'
import { testRule } from './service/test-rule.js'
import { exportRules, importRules } from './service/text-file.js'

const route = routeOptions('rules')
/** A few hundred rules of a few lines each; a file near this is not a rules file. */
export const rulesFileLimit = 2 * 1024 * 1024

const example = {
  name: 'Damaged: acknowledge and ask for a photo',
  source:
    "IF case_type='Damaged' THEN send_template('Damage Ack') TO customer AND request_attachment('photo') WITH 48h deadline.",
}

const isText = (req: FastifyRequest) =>
  (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() === 'text/plain'

/** Automation rules: CRUD and versions, validate and test drafts, the rules file, the execution log, settings. */
export const ruleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Only in this plugin's scope: the rules file arrives as its text.
  app.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit: rulesFileLimit }, (_req, body, done) =>
    done(null, body),
  )

  app.get(
    '/rules',
    route('rules.read', {
      summary: 'The workspace’s rules in the order they run (priority, then name), with 30 days of executions',
      response: { 200: Type.Object({ data: Type.Array(RuleView) }) },
    }),
    async (req) => ({ data: await rules.listRules(app.db, req.actor.merchantId, new Date()) }),
  )

  app.post(
    '/rules',
    route(
      'rules.manage',
      {
        summary: 'A rule: compiled at once (422 rule_invalid with line and column), in shadow mode unless told',
        body: CreateRuleBody,
        response: { 201: RuleView },
      },
      example,
    ),
    async (req, reply) => {
      const { stop_processing, ...b } = req.body
      const rule = await inTransaction(app.db, req, (trx, ctx, now) =>
        rules.createRule(trx, ctx, { ...b, stopProcessing: stop_processing }, now),
      )
      return reply.status(201).send(rule)
    },
  )

  app.post(
    '/rules/validate',
    route(
      'rules.read',
      {
        summary: 'Check a rule’s text as it is typed: its problems (line, column), or its triggers, fields and actions',
        body: ValidateBody,
        response: { 200: ValidateView },
      },
      { source: example.source },
    ),
    async (req) => rules.validateRule(app.db, req.actor.merchantId, req.body.source),
  )

  app.post(
    '/rules/test',
    route(
      'rules.read',
      {
        summary:
          'Dry run: what a draft (source) or saved rule (rule_id) would have done over the stored events of a range ' +
          '(at most 90 days), with no side effects',
        body: TestBody,
        response: { 200: DryRunView },
      },
      { source: example.source, from: '2026-11-01T00:00:00Z', to: '2026-11-08T00:00:00Z' },
    ),
    async (req) => {
      const { source, rule_id, from, to, limit } = req.body
      return testRule(app.ctx, req.actor.merchantId, {
        source,
        ruleId: rule_id,
        from: new Date(from),
        to: new Date(to),
        limit,
      })
    },
  )

  app.get(
    '/rules/export',
    route('rules.read', {
      summary: 'Every rule as one text file (configuration as code)',
      response: { 200: RulesFile },
    }),
    async (req, reply) =>
      reply
        .type('text/plain; charset=utf-8')
        .header('content-disposition', contentDisposition('rules.txt'))
        .send(await exportRules(app.db, req.actor.merchantId)),
  )

  app.post(
    '/rules/import',
    {
      bodyLimit: rulesFileLimit,
      // After authentication, before the body is read: name the format rather than let the JSON parser answer.
      onRequest: async (req) => {
        if (!isText(req)) throw new AppError('unsupported_media_type', 'Send the rules file as text/plain')
      },
      ...route('rules.manage', {
        summary:
          'Import a rules file: rules merged by name (created, updated, unchanged), all or nothing; replace=true ' +
          'also deletes the rules it does not name; dry_run=true only reports',
        consumes: ['text/plain'],
        querystring: ImportQuery,
        body: Type.String({ description: 'The rules file, as GET /rules/export writes it' }),
        response: { 200: ImportView },
      }),
    },
    async (req) =>
      inTransaction(app.db, req, (trx, ctx, now) =>
        importRules(
          trx,
          ctx,
          req.body,
          { replace: req.query.replace ?? false, dryRun: req.query.dry_run ?? false },
          now,
        ),
      ),
  )

  app.get(
    '/rules/:id',
    route('rules.read', { summary: 'One rule', params: RuleParams, response: { 200: RuleView } }),
    async (req) => rules.getRule(app.db, req.actor.merchantId, req.params.id, new Date()),
  )

  app.patch(
    '/rules/:id',
    route(
      'rules.manage',
      {
        summary: 'Change a rule: a changed source is compiled and becomes the next version; the rest changes as is',
        params: RuleParams,
        body: UpdateRuleBody,
        response: { 200: RuleView },
      },
      { mode: 'active' },
    ),
    async (req) => {
      const { stop_processing, ...b } = req.body
      return inTransaction(app.db, req, (trx, ctx, now) =>
        rules.updateRule(trx, ctx, req.params.id, { ...b, stopProcessing: stop_processing }, now),
      )
    },
  )

  app.delete(
    '/rules/:id',
    route('rules.manage', {
      summary: 'Delete a rule (its versions and executions stay in the log)',
      params: RuleParams,
      response: { 204: Type.Null() },
    }),
    deleteHandler((req) =>
      inTransaction(app.db, req, (trx, ctx, now) => rules.deleteRule(trx, ctx, req.params.id, now)),
    ),
  )

  app.get(
    '/rules/:id/versions',
    route('rules.read', {
      summary: 'A rule’s versions, newest first',
      params: RuleParams,
      response: { 200: Type.Object({ data: Type.Array(RuleVersionView) }) },
    }),
    async (req) => ({ data: await rules.listRuleVersions(app.db, req.actor.merchantId, req.params.id) }),
  )

  app.get(
    '/rules/:id/versions/:version',
    route('rules.read', { summary: 'One version', params: RuleVersionParams, response: { 200: RuleVersionView } }),
    async (req) => rules.getRuleVersion(app.db, req.actor.merchantId, req.params.id, req.params.version),
  )

  app.get(
    '/rule-executions',
    route('rules.read', {
      summary:
        'The execution log, newest first: each rule run with its version, trigger, the conditions as seen and the ' +
        'actions with their results',
      querystring: ExecutionQuery,
      response: { 200: Page(ExecutionView) },
    }),
    async (req) => {
      const { from, to, rule_id, case_id, ...q } = req.query
      return listExecutions(app.db, req.actor.merchantId, {
        ...q,
        ruleId: rule_id,
        caseId: case_id,
        from: from ? new Date(from) : undefined,
        to: to ? new Date(to) : undefined,
      })
    },
  )

  app.get(
    '/rule-settings',
    route('rules.read', { summary: 'Loop protection: depth and repeat limits', response: { 200: SettingsView } }),
    async (req) => getRuleSettings(app.db, req.actor.merchantId),
  )

  app.patch(
    '/rule-settings',
    route(
      'rules.manage',
      { summary: 'Change the loop protection', body: SettingsBody, response: { 200: SettingsView } },
      { max_depth: 3 },
    ),
    async (req) => inTransaction(app.db, req, (trx, ctx, now) => updateRuleSettings(trx, ctx, req.body, now)),
  )
}
