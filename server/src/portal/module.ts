import type { Module } from '../modules.js'
import { portalRoutes } from './routes.js'

/** The customer portal's API: signed links to a case's status page (uploads, replies and returns come later). */
export const portal: Module = { name: 'portal', routes: portalRoutes }
