import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parse as parseYaml } from 'yaml'

export type S3Config = {
  bucket: string
  region: string
  endpoint?: string
  accessKeyId?: string
  secretAccessKey?: string
  forcePathStyle: boolean
}

export type Config = {
  port: number
  host: string
  dataDir: string
  databaseUrl?: string
  /** The schema owner's connection, for migrations; the server's own (DATABASE_URL) then only reads and writes rows. */
  migrationDatabaseUrl?: string
  publicUrl: string
  /** PUBLIC_URL was set (not the default made of HOST and PORT): signed webhooks' URLs are built from it. */
  publicUrlGiven: boolean
  adminToken?: string
  secretKey?: string
  metricsToken?: string
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  workers: boolean
  workerConcurrency: number
  /** Days a clock action that fired, failed or was cancelled is kept before the runner purges it. */
  clockRetentionDays: number
  /** Days the platform's traffic tables keep their rows (retention/service/platform.ts; README "Configuration"). */
  retention: {
    outboxDays: number
    webhookBodyDays: number
    webhookRejectionDays: number
    failedJobDays: number
    requestLimitDays: number
    runDays: number
  }
  embeddedPgPort?: number
  sessionTtlHours: number
  filesMaxBytes: number
  trustProxy: boolean
  smtpUrl?: string
  email: EmailConfig
  s3?: S3Config
  /** The default Twilio account: a workspace without a Twilio connection gets one made from it (encrypted). */
  twilio?: TwilioConfig
}

export type TwilioConfig = {
  accountSid: string
  authToken: string
  /** Twilio's API base (a local fake in tests); default https://api.twilio.com. */
  apiUrl?: string
  smsFrom?: string
  whatsappFrom?: string
}

export type EmailConfig = {
  /** The built-in SMTP listener for customers' mail: off unless a port is set. */
  inboundPort?: number
  inboundHost: string
  /** Replies to `reply+<token>@` this domain find their case. */
  inboundDomain: string
  /** Larger inbound messages are refused at SMTP (552) or recorded without their body. */
  maxMessageBytes: number
  /** DKIM signing of outbound mail, when all three are set. */
  dkim?: { domainName: string; keySelector: string; privateKey: string }
}

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`Invalid configuration: ${setting} ${message}`)
    this.name = 'ConfigError'
  }
}

type Source = Record<string, string | undefined>

// Each setting: its env name (the yaml key is the same name in lower case) and how to read it.
const int =
  (min: number, max: number) =>
  (name: string, v: string): number => {
    if (!/^\d+$/.test(v.trim()))
      throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got ${JSON.stringify(v)})`)
    const n = Number(v)
    if (n < min || n > max) throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got ${v})`)
    return n
  }
const bool = (name: string, v: string): boolean => {
  const s = v.trim().toLowerCase()
  if (['1', 'true', 'yes', 'on'].includes(s)) return true
  if (['0', 'false', 'no', 'off'].includes(s)) return false
  throw new ConfigError(name, `must be true or false (got ${JSON.stringify(v)})`)
}
const url =
  (protocols: string[]) =>
  (name: string, v: string): string => {
    let u: URL
    try {
      u = new URL(v)
    } catch {
      throw new ConfigError(name, `must be a URL (got ${JSON.stringify(redactUrl(v))})`)
    }
    if (!protocols.includes(u.protocol))
      throw new ConfigError(name, `must use ${protocols.join(' or ')} (got ${u.protocol})`)
    return v
  }
const redactUrl = (v: string) => v.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@')
const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

function readYaml(file: string): Source {
  let doc: unknown
  try {
    doc = parseYaml(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new ConfigError(path.basename(file), `is not valid YAML: ${(err as Error).message.split('\n')[0]}`)
  }
  if (doc == null) return {}
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new ConfigError(path.basename(file), 'must be a mapping of setting: value')
  const out: Source = {}
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    if (value !== null && typeof value === 'object')
      throw new ConfigError(`${path.basename(file)}: ${key}`, 'must be a plain value')
    out[key.toUpperCase()] = value == null ? undefined : String(value)
  }
  return out
}

const known = new Set([
  'PORT',
  'HOST',
  'DATA_DIR',
  'DATABASE_URL',
  'MIGRATION_DATABASE_URL',
  'PUBLIC_URL',
  'CLAIMDESK_ADMIN_TOKEN',
  'CLAIMDESK_SECRET_KEY',
  'LOG_LEVEL',
  'METRICS_TOKEN',
  'WORKERS',
  'WORKER_CONCURRENCY',
  'EMBEDDED_PG_PORT',
  'SESSION_TTL_HOURS',
  'FILES_MAX_BYTES',
  'OUTBOX_RETENTION_DAYS',
  'WEBHOOK_BODY_RETENTION_DAYS',
  'WEBHOOK_REJECTION_RETENTION_DAYS',
  'JOB_RETENTION_DAYS',
  'REQUEST_LIMIT_RETENTION_DAYS',
  'PURGE_RUN_RETENTION_DAYS',
  'TRUST_PROXY',
  'SMTP_URL',
  'SMTP_INBOUND_PORT',
  'SMTP_INBOUND_HOST',
  'INBOUND_EMAIL_DOMAIN',
  'EMAIL_MAX_BYTES',
  'DKIM_DOMAIN',
  'DKIM_SELECTOR',
  'DKIM_PRIVATE_KEY',
  'S3_BUCKET',
  'S3_REGION',
  'S3_ENDPOINT',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'S3_FORCE_PATH_STYLE',
  'TWILIO_ACCOUNT_SID',
  'TWILIO_AUTH_TOKEN',
  'TWILIO_API_URL',
  'TWILIO_SMS_FROM',
  'TWILIO_WHATSAPP_FROM',
])

// reply.<public host> when that is a DNS name; an address or localhost gets a name mail can still carry.
function defaultReplyDomain(publicUrl: string): string {
  const host = new URL(publicUrl).hostname
  return /[a-z]/i.test(host) && host.includes('.') && !host.includes(':')
    ? `reply.${host}`
    : 'reply.claimdesk.localhost'
}

/** Env wins over claimdesk.yaml (or the file named by CLAIMDESK_CONFIG); unknown yaml keys are refused. */
export function loadConfig(env: Source = process.env, cwd = process.cwd()): Config {
  const file = env.CLAIMDESK_CONFIG ? path.resolve(cwd, env.CLAIMDESK_CONFIG) : path.join(cwd, 'claimdesk.yaml')
  if (env.CLAIMDESK_CONFIG && !existsSync(file))
    throw new ConfigError('CLAIMDESK_CONFIG', `names a file that does not exist (${file})`)
  const yaml = existsSync(file) ? readYaml(file) : {}
  for (const key of Object.keys(yaml)) {
    if (!known.has(key)) throw new ConfigError(`${path.basename(file)}: ${key.toLowerCase()}`, 'is not a known setting')
  }
  const get = (name: string): string | undefined => {
    const v = env[name] ?? yaml[name]
    return v === undefined || v === '' ? undefined : v
  }
  const read = <T>(name: string, parse: (name: string, v: string) => T, fallback: T): T => {
    const v = get(name)
    return v === undefined ? fallback : parse(name, v)
  }
  const optional = <T>(name: string, parse: (name: string, v: string) => T): T | undefined => {
    const v = get(name)
    return v === undefined ? undefined : parse(name, v)
  }

  const port = read('PORT', int(0, 65535), 3000)
  const host = read('HOST', (_n, v) => v, '127.0.0.1')
  const databaseUrl = optional('DATABASE_URL', url(['postgres:', 'postgresql:']))
  const migrationDatabaseUrl = optional('MIGRATION_DATABASE_URL', url(['postgres:', 'postgresql:']))
  if (migrationDatabaseUrl && !databaseUrl)
    throw new ConfigError(
      'MIGRATION_DATABASE_URL',
      'needs DATABASE_URL too (the embedded database sets up its own roles)',
    )
  const token = (name: string, v: string): string => {
    if (v.length < 24) throw new ConfigError(name, 'must be at least 24 characters long')
    return v
  }
  const adminToken = optional('CLAIMDESK_ADMIN_TOKEN', token)
  const secretKey = optional('CLAIMDESK_SECRET_KEY', (name, v) => {
    if (v.length < 32)
      throw new ConfigError(name, 'must be at least 32 characters long (e.g. `openssl rand -base64 48`)')
    return v
  })
  // Several processes against one external database must share the key that encrypts secrets and signs links.
  if (databaseUrl && !secretKey) throw new ConfigError('CLAIMDESK_SECRET_KEY', 'is required when DATABASE_URL is set')

  const publicUrl = read(
    'PUBLIC_URL',
    url(['http:', 'https:']),
    `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
  ).replace(/\/+$/, '')
  const domain = (name: string, v: string): string => {
    const d = v.trim().toLowerCase()
    if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(d))
      throw new ConfigError(name, `must be a domain name (got ${JSON.stringify(v)})`)
    return d
  }
  // All three or none: a half-configured DKIM would send mail that fails its own signature check.
  const dkim = (): EmailConfig['dkim'] => {
    const parts = {
      domainName: get('DKIM_DOMAIN'),
      keySelector: get('DKIM_SELECTOR'),
      privateKey: get('DKIM_PRIVATE_KEY'),
    }
    const set = Object.values(parts).filter((v) => v !== undefined).length
    if (set === 0) return undefined
    if (set < 3) throw new ConfigError('DKIM_DOMAIN', 'DKIM_SELECTOR and DKIM_PRIVATE_KEY go together: set all three')
    if (!parts.privateKey!.includes('PRIVATE KEY'))
      throw new ConfigError('DKIM_PRIVATE_KEY', 'must be a PEM private key')
    return {
      domainName: domain('DKIM_DOMAIN', parts.domainName!),
      keySelector: parts.keySelector!,
      privateKey: parts.privateKey!,
    }
  }

  const bucket = get('S3_BUCKET')
  const s3: S3Config | undefined = bucket
    ? {
        bucket,
        region: get('S3_REGION') ?? 'us-east-1',
        endpoint: optional('S3_ENDPOINT', url(['http:', 'https:'])),
        accessKeyId: get('S3_ACCESS_KEY_ID'),
        secretAccessKey: get('S3_SECRET_ACCESS_KEY'),
        forcePathStyle: read('S3_FORCE_PATH_STYLE', bool, false),
      }
    : undefined

  // The account SID and its auth token go together; a sender is +E.164 (or a short code for SMS).
  const twilio = (): TwilioConfig | undefined => {
    const accountSid = get('TWILIO_ACCOUNT_SID')
    const authToken = get('TWILIO_AUTH_TOKEN')
    if (!accountSid && !authToken) return undefined
    if (!accountSid || !authToken)
      throw new ConfigError('TWILIO_ACCOUNT_SID', 'and TWILIO_AUTH_TOKEN go together: set both')
    if (!/^AC[0-9a-fA-F]{32}$/.test(accountSid))
      throw new ConfigError('TWILIO_ACCOUNT_SID', 'must be an account SID (AC followed by 32 hex digits)')
    const sender = (name: string, v: string) => {
      if (!/^(\+[1-9]\d{6,14}|\d{3,8})$/.test(v.trim()))
        throw new ConfigError(name, `must be a number in E.164 form, e.g. +14155550100 (got ${JSON.stringify(v)})`)
      return v.trim()
    }
    return {
      accountSid,
      authToken,
      apiUrl: optional('TWILIO_API_URL', url(['http:', 'https:'])),
      smsFrom: optional('TWILIO_SMS_FROM', sender),
      whatsappFrom: optional('TWILIO_WHATSAPP_FROM', (n, v) => sender(n, v.replace(/^whatsapp:/, ''))),
    }
  }

  return {
    port,
    host,
    dataDir: path.resolve(
      cwd,
      read('DATA_DIR', (_n, v) => v, './data'),
    ),
    databaseUrl,
    migrationDatabaseUrl,
    publicUrl,
    publicUrlGiven: get('PUBLIC_URL') !== undefined,
    adminToken,
    secretKey,
    metricsToken: optional('METRICS_TOKEN', token),
    logLevel: read(
      'LOG_LEVEL',
      (name, v) => {
        if (!(levels as readonly string[]).includes(v))
          throw new ConfigError(name, `must be one of ${levels.join(', ')} (got ${JSON.stringify(v)})`)
        return v as Config['logLevel']
      },
      'info',
    ),
    workers: read('WORKERS', bool, true),
    workerConcurrency: read('WORKER_CONCURRENCY', int(1, 64), 4),
    clockRetentionDays: read('CLOCK_RETENTION_DAYS', int(1, 3650), 7),
    retention: {
      outboxDays: read('OUTBOX_RETENTION_DAYS', int(1, 3650), 30),
      webhookBodyDays: read('WEBHOOK_BODY_RETENTION_DAYS', int(1, 3650), 30),
      webhookRejectionDays: read('WEBHOOK_REJECTION_RETENTION_DAYS', int(1, 3650), 30),
      failedJobDays: read('JOB_RETENTION_DAYS', int(1, 3650), 30),
      requestLimitDays: read('REQUEST_LIMIT_RETENTION_DAYS', int(0, 365), 0),
      runDays: read('PURGE_RUN_RETENTION_DAYS', int(1, 3650), 90),
    },
    embeddedPgPort: optional('EMBEDDED_PG_PORT', int(1, 65535)),
    sessionTtlHours: read('SESSION_TTL_HOURS', int(1, 24 * 90), 12),
    filesMaxBytes: read('FILES_MAX_BYTES', int(1024, 5 * 1024 ** 3), 100 * 1024 * 1024),
    trustProxy: read('TRUST_PROXY', bool, false),
    smtpUrl: optional('SMTP_URL', url(['smtp:', 'smtps:'])),
    email: {
      inboundPort: optional('SMTP_INBOUND_PORT', int(1, 65535)),
      inboundHost: read('SMTP_INBOUND_HOST', (_n, v) => v, '127.0.0.1'),
      inboundDomain: read('INBOUND_EMAIL_DOMAIN', domain, defaultReplyDomain(publicUrl)),
      maxMessageBytes: read('EMAIL_MAX_BYTES', int(1024, 1024 ** 3), 30 * 1024 * 1024),
      dkim: dkim(),
    },
    s3,
    twilio: twilio(),
  }
}
