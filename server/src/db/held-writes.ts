import type { Transaction } from 'kysely'
import type { Database } from './schema.js'

type Trx = Transaction<Database>

/**
 * Writes a batch of work can hold back and make in one statement when it ends, instead of one per item (the
 * inbox drain's `together` mode). `write` makes them now, or adds them to the transaction's held batch; `hold`
 * runs the work with its writes held. Only for work that commits or rolls back as a whole: held writes have no
 * savepoint to roll back with, and the batch cannot read them before the end.
 */
export function heldWrites<T>(flush: (trx: Trx, items: T[]) => Promise<void>) {
  const held = new WeakMap<Trx, T[]>()
  return {
    async write(trx: Trx, items: T[]): Promise<void> {
      const batch = held.get(trx)
      if (batch) batch.push(...items)
      else await flush(trx, items)
    },
    async hold<R>(trx: Trx, work: () => Promise<R>): Promise<R> {
      if (held.has(trx)) return work()
      const items: T[] = []
      held.set(trx, items)
      try {
        const result = await work()
        await flush(trx, items)
        return result
      } finally {
        held.delete(trx)
      }
    },
  }
}
