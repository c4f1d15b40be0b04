import { sql, type RawBuilder } from 'kysely'

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
