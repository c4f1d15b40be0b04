/** Every row of a list paged by id. */
export async function listAll<T extends { id: string }>(
  page: (after: string | undefined) => Promise<T[]>,
): Promise<T[]> {
  const all: T[] = []
  for (let after: string | undefined, rows: T[]; (rows = await page(after)).length; after = rows[rows.length - 1]!.id)
    all.push(...rows)
  return all
}

/** `fn` over the items, `concurrency` at a time, started in order. */
export async function inParallel<T>(items: T[], concurrency: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: Math.max(1, concurrency) }, async () => {
      while (next < items.length) await fn(items[next++]!)
    }),
  )
}
