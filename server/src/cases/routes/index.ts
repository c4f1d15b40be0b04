import type { FastifyPluginAsync } from 'fastify'
import { assignmentRoutes } from './assignment.js'
import { bulkRoutes } from './bulk.js'
import { caseTypeRoutes } from './case-types.js'
import { caseRoutes } from './cases.js'
import { settingsRoutes } from './case-settings.js'
import { incidentRoutes } from './incidents.js'
import { linkRoutes } from './links.js'
import { mergeRoutes } from './merge.js'
import { notificationRoutes } from './notifications.js'
import { presenceRoutes } from './presence.js'
import { reviewRoutes } from './reviews.js'
import { splitRoutes } from './split.js'
import { statsRoutes } from './stats.js'
import { timelineRoutes } from './timeline.js'
import { viewRoutes } from './views.js'
import { workRoutes } from './work.js'

/** The cases module's HTTP API: one plugin per resource (in this order, the OpenAPI document's). */
export const caseApi: FastifyPluginAsync = async (app) => {
  await app.register(caseTypeRoutes)
  await app.register(caseRoutes)
  await app.register(workRoutes)
  await app.register(timelineRoutes)
  await app.register(linkRoutes)
  await app.register(mergeRoutes)
  await app.register(notificationRoutes)
  await app.register(statsRoutes)
  await app.register(presenceRoutes)
  await app.register(settingsRoutes)
  await app.register(reviewRoutes)
  await app.register(bulkRoutes)
  await app.register(incidentRoutes)
  await app.register(splitRoutes)
  await app.register(assignmentRoutes)
  await app.register(viewRoutes)
}
