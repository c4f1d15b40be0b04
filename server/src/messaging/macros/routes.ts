import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { inTransaction } from '../../auth/actor.js'
import { routeOptions } from '../../http/route.js'
import {
  CaseMacroParams,
  CreateMacroBody,
  MacroApplyView,
  MacroListQuery,
  MacroParams,
  MacroPreviewView,
  MacroView,
  UpdateMacroBody,
} from './schemas.js'
import * as service from './service.js'
import type { MacroAction } from '../tables.js'

const route = routeOptions('macros')

export const macroRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/macros',
    route('messages.send', {
      summary: 'Macros: a template plus actions, applied from the composer in one step',
      querystring: MacroListQuery,
      response: { 200: Type.Object({ data: Type.Array(MacroView) }) },
    }),
    async (req) => ({ data: await service.listMacros(app.db, req.actor.merchantId, req.query.archived) }),
  )

  app.get(
    '/macros/:id',
    route('messages.send', { summary: 'One macro', params: MacroParams, response: { 200: MacroView } }),
    async (req) => service.getMacro(app.db, req.actor.merchantId, req.params.id),
  )

  app.post(
    '/macros',
    route(
      'templates.manage',
      {
        summary: 'A macro (template and/or actions: set_status, add_tag, assign)',
        body: CreateMacroBody,
        response: { 201: MacroView },
      },
      { name: 'Waiting for photos', actions: [{ type: 'set_status', status: 'waiting_customer' }] },
    ),
    async (req, reply) => {
      const input = {
        name: req.body.name,
        templateId: req.body.template_id,
        actions: (req.body.actions ?? []) as MacroAction[],
      }
      const macro = await inTransaction(app.db, req, (trx, ctx, now) => service.createMacro(trx, ctx, input, now))
      return reply.status(201).send(macro)
    },
  )

  app.patch(
    '/macros/:id',
    route('templates.manage', {
      summary: 'Change a macro',
      params: MacroParams,
      body: UpdateMacroBody,
      response: { 200: MacroView },
    }),
    async (req) => {
      const input = {
        name: req.body.name,
        templateId: req.body.template_id,
        actions: req.body.actions as MacroAction[] | undefined,
      }
      return inTransaction(app.db, req, (trx, ctx, now) => service.updateMacro(trx, ctx, req.params.id, input, now))
    },
  )

  app.delete(
    '/macros/:id',
    route('templates.manage', { summary: 'Archive a macro', params: MacroParams, response: { 204: Type.Null() } }),
    async (req, reply) => {
      await inTransaction(app.db, req, (trx, ctx, now) => service.archiveMacro(trx, ctx, req.params.id, now))
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/cases/:id/macros/:macroId/preview',
    route('messages.send', {
      summary: 'What the macro would do to this case: the rendered message (with QA problems) and the actions',
      params: CaseMacroParams,
      response: { 200: MacroPreviewView },
    }),
    async (req) =>
      inTransaction(app.db, req, (trx, ctx, now) =>
        service.previewMacro(trx, ctx, req.params.id, req.params.macroId, app.ctx, now),
      ),
  )

  app.post(
    '/cases/:id/macros/:macroId/apply',
    route('messages.send', {
      summary: 'Apply the macro: its message to the customer and its actions, in one transaction',
      params: CaseMacroParams,
      response: { 200: MacroApplyView },
    }),
    async (req) =>
      inTransaction(app.db, req, (trx, ctx, now) =>
        service.applyMacro(trx, ctx, req.params.id, req.params.macroId, app.ctx, now),
      ),
  )
}
