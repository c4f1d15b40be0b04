import type { Module } from '../modules.js'
import { useProviders } from './providers.js'
import { integrationRoutes } from './routes.js'

/** Merchants' provider accounts (connections) and their webhook secrets; owns the webhook provider registry. */
export const integrations: Module = {
  name: 'integrations',
  routes: integrationRoutes,
  setup: (modules) => useProviders(modules.flatMap((m) => m.providers ?? [])),
}
