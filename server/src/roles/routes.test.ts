import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  bearer,
  createTestApp,
  createTestEnv,
  createTestMerchant,
  type TestEnv,
  type TestMerchant,
} from '../../test/harness.js'

let env: TestEnv
let app: FastifyInstance
let m: TestMerchant

beforeAll(async () => {
  env = await createTestEnv()
  app = await createTestApp(env)
  m = await createTestMerchant(env.ctx)
})
afterAll(async () => {
  await app.close()
  await env.close()
})

const call = (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
  app.inject({ method, url: `/api/v1${url}`, payload: payload as object, headers: bearer(m.keys.admin) })

describe('DELETE /roles/:id', () => {
  it('refuses to delete a role that a person or a revoked key still holds (the foreign keys decide), then deletes it', async () => {
    const roleId = (await call('POST', '/roles', { name: 'Desk', permissions: [{ permission: 'cases.read' }] })).json()
      .id as string
    const person = await call('POST', '/users', {
      email: `desk@${m.slug}.example`,
      name: 'Dee Desk',
      password: 'desk-password-1',
      role_id: roleId,
    })
    const inUse = {
      error: {
        code: 'role_in_use',
        message: 'People or API keys (revoked ones too) still reference this role',
        details: { role_id: roleId },
      },
    }
    const held = await call('DELETE', `/roles/${roleId}`)
    expect([held.statusCode, held.json()]).toEqual([409, inUse])

    await call('PATCH', `/users/${person.json().id}`, { role_id: m.roleIds.agent })
    const key = (await call('POST', '/api-keys', { name: 'desk key', role_id: roleId })).json().api_key.id as string
    await call('DELETE', `/api-keys/${key}`)
    const revokedKey = await call('DELETE', `/roles/${roleId}`)
    expect([revokedKey.statusCode, revokedKey.json()]).toEqual([409, inUse])
    const role = await app.inject({ method: 'GET', url: `/api/v1/roles/${roleId}`, headers: bearer(m.keys.admin) })
    expect(role.json().permissions).toEqual([{ permission: 'cases.read', limit: null }])
  })

  it('deletes a custom role nobody holds, with its permissions', async () => {
    const roleId = (await call('POST', '/roles', { name: 'Spare', permissions: [{ permission: 'cases.read' }] })).json()
      .id as string
    const deleted = await call('DELETE', `/roles/${roleId}`)
    expect(deleted.statusCode).toBe(204)
    const gone = await app.inject({ method: 'GET', url: `/api/v1/roles/${roleId}`, headers: bearer(m.keys.admin) })
    expect(gone.statusCode).toBe(404)
  })
})
