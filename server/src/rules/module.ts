import type { Module } from '../modules.js'
import { rulesCli } from './cli.js'
import { ruleRoutes } from './routes.js'

/** Automation rules written as text: evaluated once per event, acting through the same services as the API. */
export const rules: Module = {
  name: 'rules',
  routes: ruleRoutes,
  cli: rulesCli,
  timeline: ['rule'],
}
