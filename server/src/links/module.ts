import type { Module } from '../modules.js'
import { linkRoutes } from './routes.js'

/** Stored customer links: listed per case, revocable, dead once their job is done. */
export const links: Module = { name: 'links', routes: linkRoutes }
