import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { inTransaction } from '../../auth/actor.js'
import { AppError } from '../../errors.js'
import { routeOptions } from '../../http/route.js'
import {
  ApproveBody,
  CreateTemplateBody,
  EmailSettingsBody,
  EmailSettingsView,
  PreviewBody,
  PreviewView,
  TemplateDetailView,
  TemplateListQuery,
  TemplateParams,
  TemplateView,
  TestSendBody,
  TestSendView,
  UpdateDraftBody,
  VariableView,
  VersionParams,
} from './schemas.js'
import * as service from './service.js'

const route = routeOptions('templates')
const settingsRoute = routeOptions('email settings')

export const templateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/message-templates',
    route('messages.send', {
      summary: 'Templates per purpose, channel and locale (the defaults included), with their drafts and live version',
      querystring: TemplateListQuery,
      response: { 200: Type.Object({ data: Type.Array(TemplateView) }) },
    }),
    async (req) => ({
      data: await inTransaction(app.db, req, (trx, ctx, now) =>
        service.listTemplates(trx, ctx.merchantId, req.query, now),
      ),
    }),
  )

  app.get(
    '/message-templates/variables',
    route('messages.send', {
      summary:
        'The variables templates may use, with descriptions and example values (what previews without a case use)',
      response: { 200: Type.Object({ data: Type.Array(VariableView) }) },
    }),
    async () => ({ data: service.templateVariables }),
  )

  app.get(
    '/message-templates/:id',
    route('messages.send', {
      summary: 'One template with its draft and every saved version',
      params: TemplateParams,
      response: { 200: TemplateDetailView },
    }),
    async (req) => service.getTemplate(app.db, req.actor.merchantId, req.params.id),
  )

  app.post(
    '/message-templates',
    route('templates.manage', {
      summary: 'A template for a purpose, channel and locale (one each); its draft is what you write',
      body: CreateTemplateBody,
      response: { 201: TemplateDetailView },
    }),
    async (req, reply) => {
      const { channel, ...rest } = req.body
      const t = await inTransaction(app.db, req, (trx, ctx, now) =>
        service.createTemplate(trx, ctx, { ...rest, channel: channel ?? 'email' }, now),
      )
      return reply.status(201).send(t)
    },
  )

  app.patch(
    '/message-templates/:id',
    route('templates.manage', {
      summary: 'Change the draft (or the name); saved versions never change',
      params: TemplateParams,
      body: UpdateDraftBody,
      response: { 200: TemplateDetailView },
    }),
    async (req) =>
      inTransaction(app.db, req, (trx, ctx, now) => service.updateDraft(trx, ctx, req.params.id, req.body, now)),
  )

  app.post(
    '/message-templates/:id/versions',
    route('templates.manage', {
      summary: 'Freeze the draft as the next immutable version (it must render); it waits for approval',
      params: TemplateParams,
      response: { 201: TemplateDetailView },
    }),
    async (req, reply) =>
      reply
        .status(201)
        .send(await inTransaction(app.db, req, (trx, ctx, now) => service.saveVersion(trx, ctx, req.params.id, now))),
  )

  app.post(
    '/message-templates/:id/versions/:version/approval',
    route('templates.approve', {
      summary: 'Approve a saved version, and with make_live, make it the live one',
      params: VersionParams,
      body: ApproveBody,
      response: { 200: TemplateDetailView },
    }),
    async (req) =>
      inTransaction(app.db, req, (trx, ctx, now) =>
        service.approveVersion(trx, ctx, req.params.id, req.params.version, req.body.make_live ?? false, now),
      ),
  )

  app.post(
    '/message-templates/:id/versions/:version/live',
    route('templates.approve', {
      summary: 'Make an approved version live: automatic messages send it from now on',
      params: VersionParams,
      response: { 200: TemplateDetailView },
    }),
    async (req) =>
      inTransaction(app.db, req, (trx, ctx, now) =>
        service.makeVersionLive(trx, ctx, req.params.id, req.params.version, now),
      ),
  )

  app.post(
    '/message-templates/:id/archive',
    route('templates.manage', {
      summary: 'Archive a template: nothing is sent from it any more; its versions stay',
      params: TemplateParams,
      response: { 200: TemplateDetailView },
    }),
    async (req) => inTransaction(app.db, req, (trx, ctx, now) => service.archiveTemplate(trx, ctx, req.params.id, now)),
  )

  app.post(
    '/message-templates/:id/preview',
    route('messages.send', {
      summary:
        'Render the draft (saved, or unsaved parts) or a version with a case or the sample data, with the QA problems that would hold it',
      params: TemplateParams,
      body: PreviewBody,
      response: { 200: PreviewView },
    }),
    async (req) =>
      inTransaction(app.db, req, (trx, ctx, now) =>
        service.previewTemplate(
          trx,
          ctx,
          req.params.id,
          { caseId: req.body.case_id, version: req.body.version, draft: req.body.draft },
          app.ctx,
          now,
        ),
      ),
  )

  app.post(
    '/message-templates/:id/test-sends',
    route(
      'templates.manage',
      {
        summary:
          'Send the preview to an address you choose, marked [Test]; 409 mail_server_not_configured without SMTP_URL',
        params: TemplateParams,
        body: TestSendBody,
        response: { 200: TestSendView },
      },
      { to: 'editor@example.com' },
    ),
    async (req, reply) => {
      const input = { to: req.body.to, caseId: req.body.case_id, version: req.body.version }
      const { preview, send } = await inTransaction(app.db, req, (trx, ctx, now) =>
        service.sendTestMessage(trx, ctx, req.params.id, input, app.ctx, now),
      )
      // Sent after the audit entry commits: a slow mail server holds no transaction open.
      const sent = await send().catch((err: unknown) => {
        throw new AppError('mail_send_failed', 'The mail server did not accept the test message', {
          reply: (err as { response?: string; message?: string }).response ?? (err as Error).message,
        })
      })
      return reply.send({ ...preview, to: req.body.to, message_id: sent.message_id })
    },
  )

  app.get(
    '/email-settings',
    settingsRoute('merchant.manage', {
      summary: 'From name and address, brands, allowed link domains and the default locale of customer emails',
      response: { 200: EmailSettingsView },
    }),
    async (req) => ({
      ...(await service.getEmailSettings(app.db, req.actor.merchantId, app.ctx.config)),
      mail: service.mailSetup(app.ctx.config),
    }),
  )

  app.put(
    '/email-settings',
    settingsRoute(
      'merchant.manage',
      {
        summary: 'Change the email settings (the fields given); links may point only at the allowed domains',
        body: EmailSettingsBody,
        response: { 200: EmailSettingsView },
      },
      { allowed_link_domains: ['shop.example.com'] },
    ),
    async (req) => ({
      ...(await inTransaction(app.db, req, (trx, ctx, now) =>
        service.updateEmailSettings(trx, ctx, req.body, app.ctx.config, now),
      )),
      mail: service.mailSetup(app.ctx.config),
    }),
  )
}
