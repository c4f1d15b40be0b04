import { rmSync } from 'node:fs'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { createPool } from '../src/db/database.js'
import { APP_USER, makeTraversableTempDir, startEmbedded } from '../src/db/embedded.js'
import { migrate } from '../src/db/migrate.js'

export const TEMPLATE_DB = 'claimdesk_template'

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string
    pgAppUrl: string
    pgTemplate: string
  }
}

/** One embedded PostgreSQL per test run; each test file clones the migrated template database. */
export default async function setup(project: TestProject) {
  const dir = makeTraversableTempDir('claimdesk-test-')
  // Durability is pointless for a throwaway cluster (never for crash tests, which start their own).
  const server = await startEmbedded({
    dir: path.join(dir, 'postgres'),
    settings: {
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      dynamic_shared_memory_type: 'mmap',
      max_connections: '300',
    },
  })
  const admin = createPool(server.url('postgres'), 1)
  await admin.query(`create database ${TEMPLATE_DB}`)
  await admin.end()
  const template = createPool(server.url(TEMPLATE_DB), 2)
  // Tests connect as the application role, as the server does, so a missing grant fails here first.
  await migrate(template, undefined, APP_USER)
  await template.end() // a template with open connections cannot be cloned
  project.provide('pgAdminUrl', server.url('postgres'))
  project.provide('pgAppUrl', server.appUrl('postgres'))
  project.provide('pgTemplate', TEMPLATE_DB)
  return async () => {
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
