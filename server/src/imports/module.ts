import type { Module } from '../modules.js'
import { importCli } from './cli.js'
import { importEvents } from './events.js'
import { importRoutes } from './routes.js'

export const imports: Module = { name: 'imports', routes: importRoutes, cli: importCli, events: importEvents }
