import type { AppContext } from '../src/context.js'
import type { TestMerchant } from './harness.js'

/** What a module's route fixtures may use of route-fixtures' FixtureKit (kept here so neither imports the other). */
export type FixtureKitShape = {
  ctx: AppContext
  m: TestMerchant
  created: Set<string>
  unique(prefix: string): string
  case(): Promise<string>
}

export type RouteRequest = {
  params?: Record<string, string>
  query?: Record<string, string>
  body?: unknown
  /** A non-JSON body (CSV, NDJSON, multipart) with its content type. */
  raw?: { contentType: string; payload: string | Buffer }
  /** A Server-Sent Events stream: read until the status is known, then let go. */
  stream?: boolean
  /** What the admin's own request answers when it is not a 2xx by design (e.g. a person-only route called with a key). */
  ownStatus?: number
}

export type RouteFixture<K = FixtureKitShape> = (kit: K) => Promise<RouteRequest>
