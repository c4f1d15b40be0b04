import type { Module } from '../modules.js'
import { checkpointTask } from './checkpoints.js'
import { auditCli } from './cli.js'
import { auditRoutes } from './routes.js'
import { startSequencer } from './sequencer.js'

export const audit: Module = {
  name: 'audit',
  routes: auditRoutes,
  tasks: { 'audit:checkpoint': checkpointTask },
  cron: ['* * * * * audit:checkpoint'],
  background: [startSequencer],
  cli: auditCli,
}
