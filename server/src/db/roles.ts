import type pg from 'pg'

// The split that keeps the audit trail out of the application's reach: migrations run as the role
// that owns every table (and the append-only triggers), the server as a role that may only read and
// write rows. Only an owner or a superuser can disable a trigger or set session_replication_role.
const auditTables = ['audit_entries', 'audit_chain', 'audit_checkpoints'] as const

/**
 * Grants `appRole` what the server needs and no more, as the owner, after every migration (so a new
 * table is covered from its first start): rows of the business and job tables; only INSERT and SELECT
 * on the audit tables, plus DELETE on the sequencer's queue of entries not yet chained.
 */
export async function grantAppRole(owner: pg.PoolClient, appRole: string): Promise<void> {
  const role = quoteIdent(appRole)
  await owner.query('begin')
  try {
    await owner.query(`
      grant usage on schema public, graphile_worker to ${role};
      grant select, insert, update, delete on all tables in schema public, graphile_worker to ${role};
      grant usage, select on all sequences in schema public, graphile_worker to ${role};
      grant execute on all functions in schema graphile_worker to ${role};
      revoke update, delete, truncate, references, trigger on ${auditTables.join(', ')} from ${role};
      revoke update, truncate, references, trigger on audit_pending from ${role};
      revoke insert, update, delete, truncate on schema_migrations from ${role};`)
    // graphile-worker turns row security on with no policy, which shuts out every role but its owner:
    // a policy admitting all rows leaves the table privileges above to decide.
    const { rows } = await owner.query<{ name: string }>(`
      select format('%I.%I', n.nspname, c.relname) as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'graphile_worker' and c.relkind = 'r' and c.relrowsecurity
        and not exists (select 1 from pg_policy p where p.polrelid = c.oid and p.polname = 'claimdesk_rows')`)
    for (const { name } of rows)
      await owner.query(`create policy claimdesk_rows on ${name} using (true) with check (true)`)
    await owner.query('commit')
  } catch (err) {
    await owner.query('rollback')
    throw err
  }
}

export type RoleStanding = { role: string; superuser: boolean; ownsAudit: boolean }

/** Who the server connects as, and whether that role could rewrite the audit trail unnoticed. */
export async function findRoleStanding(pool: pg.Pool): Promise<RoleStanding> {
  const { rows } = await pool.query<RoleStanding>(
    `
    select current_user as role, rolsuper as superuser,
      exists (select 1 from pg_tables where schemaname = 'public' and tablename = any($1) and tableowner = current_user) as "ownsAudit"
    from pg_roles where rolname = current_user`,
    [auditTables],
  )
  return rows[0]!
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}
