import type pg from 'pg'
import type { FastifyBaseLogger } from 'fastify'
import { liveChannel, type LiveMessage } from './publish.js'

export type Subscriber = {
  merchantId: string
  userId: string | null
  send: (m: LiveMessage) => void
  reset: () => void
}

/**
 * One LISTEN connection per process, opened on the first subscriber, fanning NOTIFY messages out to
 * the streams of their workspace (and person, for notifications). When the connection drops, every
 * stream is told to reset (the console refetches) and the hub reconnects.
 */
export class LiveHub {
  private subscribers = new Set<Subscriber>()
  private client: pg.Client | null = null
  private connecting: Promise<void> | null = null
  private closed = false
  private retryTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly connect: () => pg.Client,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Resolves once this process is listening (subscribe after, so no message is missed). */
  listen(): Promise<void> {
    return this.ensureListening()
  }

  subscribe(s: Subscriber): () => void {
    this.subscribers.add(s)
    return () => {
      this.subscribers.delete(s)
    }
  }

  get size(): number {
    return this.subscribers.size
  }

  private ensureListening(): Promise<void> {
    if (this.client || this.closed) return Promise.resolve()
    this.connecting ??= (async () => {
      const client = this.connect()
      client.on('notification', (n) => this.dispatch(n.payload))
      client.on('error', (err) => this.drop(client, err))
      client.on('end', () => this.drop(client, new Error('connection ended')))
      await client.connect()
      await client.query(`listen ${liveChannel}`)
      this.client = client
    })().finally(() => {
      this.connecting = null
    })
    return this.connecting
  }

  private dispatch(payload: string | undefined) {
    let m: LiveMessage
    try {
      m = JSON.parse(payload ?? '') as LiveMessage
    } catch {
      return
    }
    for (const s of this.subscribers) {
      if (s.merchantId === m.merchant_id && (!m.user_id || m.user_id === s.userId)) s.send(m)
    }
  }

  private drop(client: pg.Client, err: Error) {
    if (this.client !== client) return
    this.client = null
    client.removeAllListeners('notification')
    void client.end().catch(() => undefined)
    if (this.closed) return
    this.log.warn({ err }, 'live stream connection lost; reconnecting')
    for (const s of this.subscribers) s.reset()
    this.retry(1000)
  }

  private retry(delayMs: number) {
    this.retryTimer = setTimeout(() => {
      if (!this.subscribers.size || this.closed) return
      this.ensureListening().catch((err: unknown) => {
        this.log.error({ err }, 'live stream reconnect failed')
        this.retry(Math.min(delayMs * 2, 30_000))
      })
    }, delayMs)
  }

  async close(): Promise<void> {
    this.closed = true
    clearTimeout(this.retryTimer)
    await this.connecting?.catch(() => undefined)
    const c = this.client
    this.client = null
    await c?.end().catch(() => undefined)
  }
}
