import type { FastifyPluginAsync } from 'fastify'

// The rules API (rules, versions, validate, test, export/import, executions): written with the API.
export const ruleRoutes: FastifyPluginAsync = async () => {}
