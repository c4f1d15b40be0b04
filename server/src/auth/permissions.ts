// Every permission, and what each built-in role holds, declared in this one place.
// Routes name the permission they need (route config `permission`); the auth hook enforces it.

export const permissions = {
  'merchant.read': 'See workspace settings, currencies and exchange rates',
  'merchant.manage': 'Change workspace settings and exchange rates',
  'users.read': 'See people and their roles',
  'users.manage': 'Invite, change and disable people',
  'teams.read': 'See teams and their members',
  'teams.manage': 'Create, rename and staff teams',
  'roles.read': 'See roles and their permissions',
  'roles.manage': 'Create and change custom roles',
  'api_keys.manage': 'Create and revoke API keys',
  'audit.read': 'Read and verify the audit trail',
  'integrations.read': 'See integration connections and inbound webhook deliveries',
  'integrations.manage': 'Create connections, rotate their secrets, replay deliveries',
  'customers.read': 'See customers and their history',
  'customers.write': 'Create, change, merge and redact customers',
  'orders.read': 'See orders, payments and shipments',
  'orders.write': 'Create and change orders, payments and shipments',
  'imports.run': 'Bulk-import customers, orders, shipments and historical cases',
  // Used by the modules that follow; declared here so roles are complete from day one.
  'cases.read': 'See cases and their timelines',
  'cases.write': 'Open, update and resolve cases',
  'cases.assign': 'Assign cases to people and teams',
  'cases.configure': 'Configure case types, the exception policy and case settings',
  'refunds.read': 'See refunds',
  'refunds.approve': 'Approve refunds (optionally up to an amount)',
  'rules.read': 'See automation rules and their execution log',
  'rules.manage': 'Write automation rules and SLA policies',
  'sla.manage': 'Write SLA policies and business-hours calendars',
  'messages.send': 'Send messages to customers',
  'templates.manage': 'Write message templates and macros, save versions, send tests',
  'templates.approve': 'Approve template versions and make them live (what automatic messages send)',
  'analytics.read': 'See reports and dashboards',
  'holds.read': 'See legal holds on cases and customers',
  'holds.manage': 'Place and release legal holds',
  'retention.manage': 'Change retention policies and see purge runs',
  'evidence.sensitive.read': 'See sensitive evidence (invoices, police reports, identity documents) and its files',
} as const

export type Permission = keyof typeof permissions
export const allPermissions = Object.keys(permissions) as Permission[]
export const isPermission = (p: string): p is Permission => p in permissions

export type BuiltinRole = 'admin' | 'manager' | 'agent' | 'finance' | 'viewer'
export const builtinRoles: BuiltinRole[] = ['admin', 'manager', 'agent', 'finance', 'viewer']

const reads = allPermissions.filter((p) => p.endsWith('.read'))

export const builtinRolePermissions: Record<BuiltinRole, readonly Permission[]> = {
  admin: allPermissions,
  manager: [
    ...reads,
    'teams.manage',
    'cases.write',
    'cases.assign',
    'cases.configure',
    'refunds.approve',
    'rules.manage',
    'sla.manage',
    'messages.send',
    'templates.manage',
    'templates.approve',
    'customers.write',
    'orders.write',
    'imports.run',
    'holds.manage',
    'retention.manage',
  ],
  agent: [
    'merchant.read',
    'users.read',
    'teams.read',
    'roles.read',
    'cases.read',
    'cases.write',
    'refunds.read',
    'messages.send',
    'customers.read',
    'customers.write',
    'orders.read',
    'holds.read',
    'rules.read',
  ],
  finance: [
    'merchant.read',
    'merchant.manage',
    'users.read',
    'teams.read',
    'cases.read',
    'refunds.read',
    'refunds.approve',
    'analytics.read',
    'audit.read',
    'evidence.sensitive.read',
    'customers.read',
    'orders.read',
    'orders.write',
  ],
  viewer: reads.filter((p) => p !== 'audit.read' && p !== 'integrations.read' && p !== 'evidence.sensitive.read'),
}

export const builtinRoleInfo: Record<BuiltinRole, { name: string; description: string }> = {
  admin: { name: 'Admin', description: 'Everything, including people, roles, keys and integrations' },
  manager: { name: 'Manager', description: 'Team lead: staffs teams, assigns and approves, writes rules' },
  agent: { name: 'Agent', description: 'Works cases and talks to customers' },
  finance: { name: 'Finance', description: 'Refunds, exchange rates, reports and the audit trail' },
  viewer: { name: 'Viewer', description: 'Read-only' },
}

/** A permission held by an actor, with the amount bound it carries, if any. */
export type Grant = { permission: Permission; limit?: { amountMinor: number; currency: string } }
