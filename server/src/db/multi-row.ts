import { sql, type QueryExecutorProvider, type RawBuilder } from 'kysely'

// Set-based writes: a whole batch travels as one array parameter per column
// (`unnest($1::uuid[], $2::text[], …)`), so a 1,000-row batch is one statement, not 1,000.

/** Column names with their SQL element types; types are constants in code, never input. */
export type Columns<T> = readonly (readonly [keyof T & string, string])[]

/** `unnest(…) as u(c1, c2, …)` over the rows. */
export function unnest<T>(rows: readonly T[], columns: Columns<T>): RawBuilder<unknown> {
  const arrays = columns.map(([c, type]) => sql`${rows.map((r) => r[c] ?? null)}::${sql.raw(type)}[]`)
  return sql`unnest(${sql.join(arrays)}) as u(${sql.join(columns.map(([c]) => sql.id(c)))})`
}

export const names = <T>(columns: Columns<T>) => sql.join(columns.map(([c]) => sql.id(c)))

/** `insert into table (…) select * from unnest(…)`, then `tail` (an `on conflict` clause); returns the rows it wrote. */
export async function insertRows<T>(
  db: QueryExecutorProvider,
  table: string,
  rows: readonly T[],
  columns: Columns<T>,
  tail: RawBuilder<unknown> = sql``,
): Promise<number> {
  if (!rows.length) return 0
  const result =
    await sql`insert into ${sql.table(table)} (${names(columns)}) select * from ${unnest(rows, columns)} ${tail}`.execute(
      db,
    )
  return Number(result.numAffectedRows ?? 0)
}
