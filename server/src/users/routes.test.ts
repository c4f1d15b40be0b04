import { describe, expect, it } from 'vitest'
import { expectError, startTestApp } from '../../test/harness.js'
import { allPermissions } from '../auth/permissions.js'
import { createUser } from './service.js'
import { systemContext } from '../auth/actor.js'

const { env, m, call } = await startTestApp()

describe('GET /users?permission=', () => {
  it('lists only the active people whose role holds the permission: who can be assigned a case', async () => {
    const custom = (
      await call('POST', '/roles', {
        name: 'Case desk',
        permissions: [{ permission: 'cases.read' }, { permission: 'cases.write' }],
      })
    ).json().id as string
    const readOnly = (
      await call('POST', '/roles', { name: 'Case reader', permissions: [{ permission: 'cases.read' }] })
    ).json().id as string
    const people = await env.ctx.db.transaction().execute(async (trx) => {
      const make = (name: string, roleId: string) =>
        createUser(
          trx,
          systemContext(m.id),
          { email: `${name.toLowerCase()}@${m.slug}.example`, name, password: 'password-123456', roleId },
          new Date(),
        )
      return {
        agent: await make('Agnes', m.roleIds.agent!),
        manager: await make('Manny', m.roleIds.manager!),
        finance: await make('Fin', m.roleIds.finance!),
        viewer: await make('Vic', m.roleIds.viewer!),
        custom: await make('Cass', custom),
        reader: await make('Reed', readOnly),
        gone: await make('Gone', m.roleIds.agent!),
      }
    })
    expect((await call('PATCH', `/users/${people.gone.id}`, { status: 'disabled' })).statusCode).toBe(200)
    const res = await call('GET', '/users?permission=cases.write&status=active&limit=200')
    expect(res.statusCode).toBe(200)
    const names = (res.json().data as { name: string }[]).map((u) => u.name).sort()
    // Finance, the viewer, a read-only custom role and a disabled agent are not offered.
    expect(names).toEqual(['Ada Admin', 'Agnes', 'Cass', 'Manny'])
  })

  it('refuses an unknown permission with 400 validation_failed', async () => {
    const res = await call('GET', '/users?permission=cases.fly')
    // One miss per permission the parameter may name, then the union's.
    const path = 'querystring/permission'
    expectError(res, 400, 'validation_failed', {
      errors: [
        ...allPermissions.map(() => ({ path, message: 'must be equal to constant' })),
        { path, message: 'must match a schema in anyOf' },
      ],
    })
  })
})
