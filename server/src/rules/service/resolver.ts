// The NameResolver on the database: names a rule writes become keys and ids through the owning modules' services.

import { listCaseTypes } from '../../cases/service.js'
import { defaultCaseTypes } from '../../cases/defaults.js'
import type { Db } from '../../db/owned.js'
import { evidenceTypeCatalogue } from '../../evidence/index.js'
import { getMerchant } from '../../merchants/service.js'
import { findTemplateByName } from '../../messaging/templates/service.js'
import { listTeams } from '../../teams/service.js'
import { listUsers } from '../../users/service.js'
import { matchKey } from '../language/names.js'
import type { NameResolver } from '../types.js'

// Workspaces hold tens of teams and people; one page covers them.
const pageSize = 1000

export function dbResolver(db: Db, merchantId: string): NameResolver {
  return {
    async caseType(name) {
      const types = await listCaseTypes(db, merchantId)
      // A workspace that never used cases has no rows yet; its first use seeds exactly these keys.
      const options = types.length ? types : defaultCaseTypes
      return matchKey(name, options)
    },
    async team(name) {
      const teams = await listTeams(db, merchantId, { limit: pageSize })
      return matchKey(
        name,
        teams.map((t) => ({ key: t.id, label: t.name })),
      )
    },
    async user(nameOrEmail) {
      const users = await listUsers(db, merchantId, { limit: pageSize, status: 'active' })
      const lower = nameOrEmail.trim().toLowerCase()
      const hit =
        users.find((u) => u.email.toLowerCase() === lower) ?? users.find((u) => u.name.toLowerCase() === lower)
      return hit?.id ?? null
    },
    template: (name) => findTemplateByName(db, merchantId, name),
    async evidenceType(name) {
      return matchKey(name, await evidenceTypeCatalogue(db, merchantId))
    },
    // The workspace's own currencies: the ones its exchange rates convert between.
    async currency(code) {
      const merchant = await getMerchant(db, merchantId)
      const found = merchant.currencies.find((c) => c.code === code.toUpperCase())
      return found ? { exponent: found.exponent } : null
    },
  }
}
