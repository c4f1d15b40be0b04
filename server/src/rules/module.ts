import type { Module } from '../modules.js'
import { rulesCli } from './cli.js'
import { rulesEngine } from './engine/consumer.js'
import {
  armOpenCases,
  carrierSilenceTask,
  fireCarrierSilence,
  fireSlaThreshold,
  slaThresholdTask,
} from './engine/handle.js'
import { armOpenCasesTask } from './engine/triggers.js'
import { ruleRoutes } from './routes.js'

/** Automation rules written as text: evaluated once per event, acting through the same services as the API. */
export const rules: Module = {
  name: 'rules',
  routes: ruleRoutes,
  cli: rulesCli,
  timeline: ['rule'],
  consumers: [rulesEngine],
  tasks: {
    [armOpenCasesTask]: async (payload, ctx) => armOpenCases(ctx, String(payload.merchant_id)),
  },
  clockTasks: {
    [slaThresholdTask]: (trx, action, ctx, now) => fireSlaThreshold(trx, ctx, action, now),
    [carrierSilenceTask]: (trx, action, ctx, now) => fireCarrierSilence(trx, ctx, action, now),
  },
}
