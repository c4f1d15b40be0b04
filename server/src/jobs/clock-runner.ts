import { randomUUID } from 'node:crypto'
import os from 'node:os'
import { sql } from 'kysely'
import type pg from 'pg'
import type { AppContext } from '../context.js'
import { createDb, createSidePool } from '../db/database.js'
import type { ClockHandler } from '../modules.js'
import {
  type ActionRef,
  claimHorizonMs,
  clockChannel,
  type FireResult,
  fireActions,
  listDueActionRefs,
  purgeEndedActions,
} from './clock.js'

export type ClockRunnerOptions = {
  /** Claim the actions falling due within this many ms (default claimHorizonMs, 1 s). */
  horizonMs?: number
  /** Claim again at least this often (default 250 ms); a NOTIFY from scheduleAction wakes it sooner. */
  pollMs?: number
  /** A claim lasts until the action's instant plus this (default 3 s): then another runner may claim it. */
  leaseMs?: number
  /** Firing transactions at once, each on a connection of the runner's own (default 3). */
  connections?: number
  /** Actions per firing transaction at most (default 50). */
  maxBatch?: number
  /** Overdue actions (a backlog) held in memory at most (default 2000): claimed as they are fired, within their leases. */
  maxHeld?: number
  /** Purge ended actions every so often (default 10 min; 0: never). */
  purgeEveryMs?: number
  /** Called after each firing transaction commits, with each action's instant (ms) and outcome (the bench measures lateness with it). */
  onFired?: (actions: (ActionRef & { at: number; result: FireResult })[], committedAt: number) => void
}

type Held = { merchantId: string; id: string; at: number; late: boolean }

/** Stops the runner; `firstPass` settles once what its first claim found overdue has fired (or it stopped). */
export type ClockRunner = (() => Promise<void>) & { firstPass: Promise<void> }

/**
 * The clock's own firing path, one per process, started with the workers: it claims the actions due
 * within the next second (FOR UPDATE SKIP LOCKED, under a lease: claimed_by + claim_until), holds them
 * in memory and fires each at its instant, those due together in one transaction (fireActions: row
 * lock and state check; a savepoint per action should a handler throw). What is overdue by more than
 * 2 s when claimed (after a downtime) is a backlog, fired beside what falls due on time but never ahead
 * of it. It has its own connections, so it never queues behind the job workers' pool, and does not
 * rest for the foreground. Several processes share the work; a process that dies leaves claims that
 * lapse `leaseMs` after their instant (or their claim) at the latest, then any runner (a restarted one
 * included) claims and fires them. A lease that lapses while its runner still holds the action (an
 * overload) lets two runners try it: the row lock and state check still fire it once.
 */
export function startClockRunner(
  ctx: AppContext,
  handlers: Record<string, ClockHandler>,
  opts: ClockRunnerOptions = {},
): ClockRunner {
  const horizonMs = opts.horizonMs ?? claimHorizonMs
  const pollMs = opts.pollMs ?? 250
  const leaseMs = opts.leaseMs ?? 3000
  const connections = opts.connections ?? 3
  const maxBatch = opts.maxBatch ?? 50
  const maxHeld = opts.maxHeld ?? 2000
  const lateAfterMs = 2000
  const upcomingLimit = 20_000
  const purgeEveryMs = opts.purgeEveryMs ?? 600_000
  const owner = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
  const log = ctx.log.child({ component: 'clock' })
  const fired = ctx.metrics.counter('clock_actions_fired_total', 'Clock actions whose handler ran and committed')
  const failures = ctx.metrics.counter('clock_action_failures_total', 'Clock handler attempts that threw')
  const lateness = ctx.metrics.histogram(
    'clock_action_lateness_seconds',
    'From an action instant to its firing transaction committed',
    [],
    [0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 5, 30],
  )
  // One connection for claiming, `connections` for firing, one held for LISTEN.
  const pool = createSidePool(ctx.pool, connections + 1)
  const db = createDb(pool)
  const listenPool = createSidePool(ctx.pool, 1)

  const held = new Map<string, Held>()
  let heldLate = 0
  const heap: Held[] = [] // min-heap on `at`; an entry no longer in `held` is stale and skipped
  const ready: Held[] = [] // due now, to fire on time
  const backlog: Held[] = [] // claimed already overdue (after a downtime, an overload)
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let timerAt = Infinity
  let inFlight = 0
  let backlogInFlight = 0
  const firing = new Set<Promise<void>>()
  let firstClaimed = false
  let passed!: () => void
  const firstPass = new Promise<void>((resolve) => {
    passed = resolve
  })
  const checkPass = () => {
    if (firstClaimed && !ready.length && !backlog.length && inFlight === 0) passed()
  }

  const keyOf = (h: { merchantId: string; id: string }) => `${h.merchantId}:${h.id}`
  const hold = (h: Held) => {
    const before = held.get(keyOf(h))
    if (before?.late) heldLate--
    if (h.late) heldLate++
    held.set(keyOf(h), h)
    push(h)
  }
  const release = (h: Held) => {
    if (held.get(keyOf(h)) !== h) return
    held.delete(keyOf(h))
    if (h.late) heldLate--
  }
  const push = (h: Held) => {
    heap.push(h)
    for (let i = heap.length - 1; i > 0; ) {
      const p = (i - 1) >> 1
      if (heap[p]!.at <= heap[i]!.at) break
      ;[heap[p], heap[i]] = [heap[i]!, heap[p]!]
      i = p
    }
  }
  const pop = (): Held | undefined => {
    const top = heap[0]
    const last = heap.pop()
    if (heap.length && last) {
      heap[0] = last
      for (let i = 0; ; ) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < heap.length && heap[l]!.at < heap[m]!.at) m = l
        if (r < heap.length && heap[r]!.at < heap[m]!.at) m = r
        if (m === i) break
        ;[heap[m], heap[i]] = [heap[i]!, heap[m]!]
        i = m
      }
    }
    return top
  }

  /** Moves the actions due now to their queue, dispatches them, and sets the timer for the next instant. */
  const tick = () => {
    timer = undefined
    timerAt = Infinity
    if (stopped) return
    const now = Date.now()
    while (heap.length && heap[0]!.at <= now) {
      const h = pop()!
      if (held.get(keyOf(h)) === h) (h.late ? backlog : ready).push(h)
    }
    dispatch()
    arm()
  }
  const arm = () => {
    while (heap.length && held.get(keyOf(heap[0]!)) !== heap[0]) pop()
    const next = heap[0]?.at ?? Infinity
    if (next >= timerAt || stopped || next === Infinity) return
    clearTimeout(timer)
    timerAt = next
    timer = setTimeout(tick, Math.max(0, next - Date.now()))
  }

  /**
   * What falls due now goes first. The backlog takes one transaction at a time while on-time actions
   * wait, and all but one otherwise, so it always moves on and a connection is free for what falls due.
   */
  const dispatch = () => {
    while (!stopped && inFlight < connections) {
      const backlogMay = backlogInFlight < Math.max(1, connections - 1) && (!ready.length || backlogInFlight === 0)
      const late = backlog.length > 0 && backlogMay
      if (!late && !ready.length) return
      const batch = (late ? backlog : ready).splice(0, maxBatch)
      inFlight++
      if (late) backlogInFlight++
      const p = fireBatch(batch).finally(() => {
        inFlight--
        if (late) backlogInFlight--
        firing.delete(p)
        dispatch()
        checkPass()
        if (late && heldLate < maxHeld / 2) claimLoop()
      })
      firing.add(p)
    }
  }

  const fireBatch = async (batch: Held[]) => {
    const refs = batch.map(({ merchantId, id }) => ({ merchantId, id }))
    try {
      const results = await db
        .transaction()
        .execute((trx) =>
          fireActions(trx, handlers, ctx, refs, new Date(), (action, err, final) =>
            log.error(
              { err, merchant_id: action.merchantId, key: action.key, task: action.task, final },
              final ? 'clock action failed on its last attempt: marked failed' : 'clock action failed; will retry',
            ),
          ),
        )
      const committed = Date.now()
      for (const [i, h] of batch.entries()) {
        release(h)
        if (results[i] === 'fired') {
          fired.inc()
          lateness.observe(Math.max(0, committed - h.at) / 1000)
        } else if (results[i] === 'retry' || results[i] === 'failed') failures.inc()
      }
      opts.onFired?.(
        batch.map((h, i) => ({ merchantId: h.merchantId, id: h.id, at: h.at, result: results[i]! })),
        committed,
      )
    } catch (err) {
      // The transaction as a whole failed (a deadlock between handlers, a lost connection): each action
      // is tried again on its own, and one failing alone is left to its lease, to be claimed again.
      log.warn({ err, actions: batch.length }, 'clock firing transaction failed; retrying its actions one by one')
      if (batch.length > 1 && !stopped) for (const h of batch) (h.late ? backlog : ready).push(h)
      else for (const h of batch) release(h)
    }
  }

  /**
   * Claims the actions falling due within the horizon (or overdue by less than `lateAfterMs`), then
   * older ones as a backlog, up to `maxHeld` of those at once. Whether the backlog filled that.
   */
  const claim = async () => {
    const upcoming = await claimBetween(-lateAfterMs, horizonMs, upcomingLimit, false)
    const limit = maxHeld - heldLate
    const late = limit > 0 ? await claimBetween(null, -lateAfterMs, limit, true) : 0
    if (upcoming || late) tick()
    return upcoming >= upcomingLimit || limit <= 0 || late >= limit
  }
  const claimBetween = async (fromMs: number | null, toMs: number, limit: number, late: boolean) => {
    const { rows } = await sql<{ merchant_id: string; id: string; run_at: Date }>`
      with due as (
        select merchant_id, id from scheduled_actions
        where state = 'scheduled' and run_at <= now() + make_interval(secs => ${toMs / 1000})
          and (${fromMs === null} or run_at > now() + make_interval(secs => ${(fromMs ?? 0) / 1000}))
          and (claim_until is null or claim_until <= now())
        order by run_at limit ${limit}
        for update skip locked
      )
      update scheduled_actions a set claimed_by = ${owner},
        claim_until = greatest(a.run_at, now()) + make_interval(secs => ${leaseMs / 1000})
      from due where a.merchant_id = due.merchant_id and a.id = due.id
      returning a.merchant_id, a.id, a.run_at`.execute(db)
    for (const r of rows) hold({ merchantId: r.merchant_id, id: r.id, at: r.run_at.getTime(), late })
    return rows.length
  }
  let claiming: Promise<void> | undefined
  let claimAgain = false
  const claimLoop = () => {
    if (stopped) return
    if (claiming) {
      claimAgain = true
      return
    }
    claiming = (async () => {
      do {
        claimAgain = false
        try {
          // More is due: claim again at once, unless the backlog held is at its limit (then the
          // backlog's firings call claimLoop as they make room).
          if ((await claim()) && heldLate < maxHeld) claimAgain = true
        } catch (err) {
          if (!stopped) log.warn({ err }, 'clock claim failed; retrying')
        }
        firstClaimed = true
        checkPass()
      } while (claimAgain && !stopped)
    })().finally(() => {
      claiming = undefined
    })
  }

  let listener: pg.PoolClient | undefined
  let connecting: Promise<void> | undefined
  const listen = () => {
    if (listener || connecting || stopped) return connecting
    connecting = connect().finally(() => {
      connecting = undefined
    })
    return connecting
  }
  const connect = async () => {
    try {
      const client = await listenPool.connect()
      client.on('notification', claimLoop)
      client.on('error', () => {
        if (listener === client) listener = undefined
        client.release(true)
      })
      await client.query(`listen ${clockChannel}`)
      if (stopped) client.release()
      else listener = client
    } catch (err) {
      log.warn({ err }, 'clock LISTEN failed; polling until it works')
    }
  }

  const poll = setInterval(() => {
    void listen()
    claimLoop()
  }, pollMs)
  const purge = async () => {
    try {
      const n = await purgeEndedActions(db, new Date(), ctx.config.clockRetentionDays)
      if (n) log.info({ purged: n }, 'purged ended clock actions')
    } catch (err) {
      log.warn({ err }, 'clock purge failed')
    }
  }
  const purgeTimer = purgeEveryMs ? setInterval(purge, purgeEveryMs) : undefined
  // Claims at once, and again when LISTEN is up: what was scheduled in between does not wait for the next poll.
  claimLoop()
  void listen()?.then(claimLoop)

  const stop = async () => {
    stopped = true
    passed()
    clearInterval(poll)
    clearInterval(purgeTimer)
    clearTimeout(timer)
    await Promise.all([claiming, connecting, ...firing])
    // Another runner takes over what this one held at once, rather than when the leases lapse.
    await sql`update scheduled_actions set claimed_by = null, claim_until = null
      where claimed_by = ${owner} and state = 'scheduled'`
      .execute(db)
      .catch(() => undefined)
    listener?.release()
    await Promise.all([db.destroy(), listenPool.end()])
  }
  return Object.assign(stop, { firstPass })
}

/**
 * Fires every action due by now, until none is left (those their handlers schedule due at once
 * included): for runDueJobs, where no runner is running. Returns how many it fired.
 */
export async function fireDueActions(
  ctx: AppContext,
  handlers: Record<string, ClockHandler>,
  now: () => Date = () => new Date(),
): Promise<number> {
  let total = 0
  for (;;) {
    const refs = await listDueActionRefs(ctx.db, now(), 100)
    if (!refs.length) return total
    const results = await ctx.db
      .transaction()
      .execute((trx) =>
        fireActions(trx, handlers, ctx, refs, now(), (action, err) =>
          ctx.log.warn({ err, key: action.key, task: action.task }, 'clock action failed'),
        ),
      )
    total += results.filter((r) => r === 'fired').length
    // Each fired, failed, retried (claimable after its backoff) or skipped action is no longer listed.
    if (results.every((r) => r === 'not_due')) return total
  }
}
