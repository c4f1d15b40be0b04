import { audit } from './audit/module.js'
import { carriers } from './carriers/module.js'
import { cases } from './cases/module.js'
import { authRoutes } from './auth/routes.js'
import { csat } from './csat/module.js'
import { customerEvents } from './customers/events.js'
import { customerRoutes } from './customers/routes.js'
import { evidenceRequests } from './evidence-requests/module.js'
import { evidence } from './evidence/module.js'
import { imports } from './imports/module.js'
import { links } from './links/module.js'
import { liveRoutes } from './live/routes.js'
import { intake } from './intake/module.js'
import { integrations } from './integrations/module.js'
import { merchantRoutes } from './merchants/routes.js'
import { messaging } from './messaging/module.js'
import type { Module } from './modules.js'
import { orderEvents } from './orders/events.js'
import { orderRoutes } from './orders/routes.js'
import { portal } from './portal/module.js'
import { profileRoutes } from './profiles/routes.js'
import { retention } from './retention/module.js'
import { roleRoutes } from './roles/routes.js'
import { rules } from './rules/module.js'
import { shipmentEvents } from './shipments/events.js'
import { shipmentRoutes } from './shipments/routes.js'
import { shopify } from './shopify/module.js'
import { sla } from './sla/module.js'
import { teamRoutes } from './teams/routes.js'
import { userRoutes } from './users/routes.js'
import { maintenance } from './maintenance.js'

/** Every domain module, in one list: routes, job tasks, event consumers, clock tasks, cron. */
export const modules: Module[] = [
  { name: 'auth', routes: authRoutes },
  { name: 'merchants', routes: merchantRoutes },
  { name: 'users', routes: userRoutes },
  { name: 'teams', routes: teamRoutes },
  { name: 'roles', routes: roleRoutes },
  { name: 'customers', routes: customerRoutes, events: customerEvents },
  { name: 'orders', routes: orderRoutes, events: orderEvents },
  { name: 'shipments', routes: shipmentRoutes, events: shipmentEvents },
  { name: 'profiles', routes: profileRoutes },
  integrations,
  intake,
  shopify,
  carriers,
  cases,
  messaging,
  portal,
  { name: 'live', routes: liveRoutes },
  imports,
  audit,
  sla,
  csat,
  retention,
  links,
  evidenceRequests,
  evidence,
  rules,
  maintenance,
]
