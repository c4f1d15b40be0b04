import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.js'

const cwd = mkdtempSync(path.join(os.tmpdir(), 'claimdesk-config-'))
const yamlDir = mkdtempSync(path.join(os.tmpdir(), 'claimdesk-yaml-'))
afterAll(() => {
  for (const dir of [cwd, yamlDir]) rmSync(dir, { recursive: true, force: true })
})
const fail = (env: Record<string, string>, dir = cwd) => {
  try {
    loadConfig(env, dir)
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    return (err as Error).message
  }
  throw new Error('expected a ConfigError')
}

describe('config', () => {
  it('has working defaults', () => {
    const c = loadConfig({}, cwd)
    expect(c).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      dataDir: path.join(cwd, 'data'),
      publicUrl: 'http://127.0.0.1:3000',
      workers: true,
      logLevel: 'info',
    })
    expect(c.databaseUrl).toBeUndefined()
    expect(c.metricsToken).toBeUndefined()
    const metricsToken = 'metrics-token-0123456789abcdef'
    expect(loadConfig({ METRICS_TOKEN: metricsToken }, cwd).metricsToken).toBe(metricsToken)
  })

  it('reads email settings: listener off by default, a reply domain from PUBLIC_URL, DKIM all or nothing', () => {
    expect(loadConfig({}, cwd).email).toEqual({
      inboundPort: undefined,
      inboundHost: '127.0.0.1',
      inboundDomain: 'reply.claimdesk.localhost',
      maxMessageBytes: 30 * 1024 * 1024,
      dkim: undefined,
    })
    const c = loadConfig({ PUBLIC_URL: 'https://help.shop.example', SMTP_INBOUND_PORT: '2525' }, cwd)
    expect(c.email).toMatchObject({ inboundPort: 2525, inboundDomain: 'reply.help.shop.example' })
    expect(loadConfig({ INBOUND_EMAIL_DOMAIN: 'Mail.Shop.Example' }, cwd).email.inboundDomain).toBe('mail.shop.example')
    expect(fail({ INBOUND_EMAIL_DOMAIN: 'not a domain' })).toBe(
      'Invalid configuration: INBOUND_EMAIL_DOMAIN must be a domain name (got "not a domain")',
    )
    expect(fail({ DKIM_DOMAIN: 'shop.example' })).toBe(
      'Invalid configuration: DKIM_DOMAIN DKIM_SELECTOR and DKIM_PRIVATE_KEY go together: set all three',
    )
    const key = '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----'
    const dkim = { DKIM_DOMAIN: 'shop.example', DKIM_SELECTOR: 'cd1', DKIM_PRIVATE_KEY: key }
    expect(loadConfig(dkim, cwd).email.dkim).toEqual({
      domainName: 'shop.example',
      keySelector: 'cd1',
      privateKey: key,
    })
  })

  it.each([
    [{ PORT: 'abc' }, 'Invalid configuration: PORT must be a whole number from 0 to 65535 (got "abc")'],
    [{ PORT: '70000' }, 'Invalid configuration: PORT must be a whole number from 0 to 65535 (got 70000)'],
    [
      { DATABASE_URL: 'mysql://x' },
      'Invalid configuration: DATABASE_URL must use postgres: or postgresql: (got mysql:)',
    ],
    [
      { DATABASE_URL: 'postgres://u:hunter2@db/x' },
      'Invalid configuration: CLAIMDESK_SECRET_KEY is required when DATABASE_URL is set',
    ],
    [
      { MIGRATION_DATABASE_URL: 'postgres://owner:hunter2@db/x' },
      'Invalid configuration: MIGRATION_DATABASE_URL needs DATABASE_URL too (the embedded database sets up its own roles)',
    ],
    [
      { CLAIMDESK_ADMIN_TOKEN: 'short' },
      'Invalid configuration: CLAIMDESK_ADMIN_TOKEN must be at least 24 characters long',
    ],
    [{ METRICS_TOKEN: 'short' }, 'Invalid configuration: METRICS_TOKEN must be at least 24 characters long'],
    [{ WORKERS: 'maybe' }, 'Invalid configuration: WORKERS must be true or false (got "maybe")'],
    [
      { LOG_LEVEL: 'loud' },
      'Invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    ],
    [{ PUBLIC_URL: 'not a url' }, 'Invalid configuration: PUBLIC_URL must be a URL (got "not a url")'],
  ])('refuses %j with one line naming the setting', (env, message) => {
    const msg = fail(env as Record<string, string>)
    expect(msg).toBe(message)
    expect(msg.split('\n')).toHaveLength(1)
  })

  it('never echoes a password from a bad URL', () => {
    expect(fail({ DATABASE_URL: 'postgres://user:hunter2@' + '[bad' })).not.toContain('hunter2')
  })

  it('reads claimdesk.yaml, lets the environment win, and refuses unknown keys', () => {
    const dir = yamlDir
    writeFileSync(path.join(dir, 'claimdesk.yaml'), 'port: 4100\nhost: 0.0.0.0\nworkers: false\n')
    expect(loadConfig({}, dir)).toMatchObject({ port: 4100, host: '0.0.0.0', workers: false })
    expect(loadConfig({ PORT: '4200' }, dir).port).toBe(4200)
    writeFileSync(path.join(dir, 'claimdesk.yaml'), 'prot: 4100\n')
    expect(fail({}, dir)).toBe('Invalid configuration: claimdesk.yaml: prot is not a known setting')
    writeFileSync(path.join(dir, 'claimdesk.yaml'), 'port: [1, 2\n')
    expect(fail({}, dir)).toMatch(/^Invalid configuration: claimdesk.yaml is not valid YAML/)
  })

  it('configures S3 only when a bucket is named', () => {
    expect(loadConfig({}, cwd).s3).toBeUndefined()
    expect(
      loadConfig({ S3_BUCKET: 'evidence', S3_ENDPOINT: 'http://127.0.0.1:9000', S3_FORCE_PATH_STYLE: 'true' }, cwd).s3,
    ).toEqual({
      bucket: 'evidence',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9000',
      accessKeyId: undefined,
      secretAccessKey: undefined,
      forcePathStyle: true,
    })
  })
})
