import { randomBytes } from 'node:crypto'
import { v7 } from 'uuid'

// UUIDv7: time-ordered, minted without coordination (shard-friendly, no sequences).
export const newId = (): string => v7()

export const isUuid = (s: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)

export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url')
