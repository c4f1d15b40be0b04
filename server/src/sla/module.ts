import type { Module } from '../modules.js'
import { calendarRoutes } from './calendars/routes.js'

/** SLAs: policies and their targets on cases, business-hours calendars, escalation steps. */
export const sla: Module = {
  name: 'sla',
  routes: async (app) => {
    await app.register(calendarRoutes)
  },
}
