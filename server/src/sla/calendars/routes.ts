import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

/** Business-hours calendars: GET/POST /sla/calendars, GET/PUT/DELETE /sla/calendars/:id, holiday import. */
export const calendarRoutes: FastifyPluginAsyncTypebox = async () => {}
