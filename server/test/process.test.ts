import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import { createServer } from 'node:net'
import path from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { makeTraversableTempDir } from '../src/db/embedded.js'
import { signedHeaders } from '../src/intake/testing.js'
import { createTestDatabase } from './harness.js'

// The real thing: `claimdesk start` as a process on its own data directory, stopped and killed.

const bin = path.resolve('bin/claimdesk.js')
const token = 'process-test-admin-token-0123456789'
const dirs: string[] = []
const children: ChildProcess[] = []

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL')
  for (const d of dirs) {
    const pid = postmasterPid(d)
    if (pid)
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        /* gone */
      }
    rmSync(d, { recursive: true, force: true })
  }
})

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

function postmasterPid(dataDir: string): number | undefined {
  const f = path.join(dataDir, 'postgres', 'postmaster.pid')
  return existsSync(f) ? Number(readFileSync(f, 'utf8').split('\n')[0]) : undefined
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

type Server = { child: ChildProcess; port: number; url: string; output: () => string; exited: Promise<number | null> }

// `command` is how a user starts it: the bin by default, or `npm start` through npm and its shell.
async function start(
  dataDir: string,
  env: Record<string, string> = {},
  command = [process.execPath, bin, 'start'],
): Promise<Server> {
  const port = await freePort()
  const child = spawn(command[0]!, command.slice(1), {
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      CLAIMDESK_ADMIN_TOKEN: token,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let output = ''
  child.stdout!.on('data', (b: Buffer) => {
    output += b
  })
  child.stderr!.on('data', (b: Buffer) => {
    output += b
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited: ${output}`)
    const ok = await fetch(`${url}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    )
    if (ok) return { child, port, url, output: () => output, exited }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`server did not become ready: ${output}`)
}

const api = (s: Server, method: string, p: string, body?: unknown) =>
  fetch(`${s.url}/api/v1${p}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  })

/** A POST whose body arrives in two parts: the request is in flight until `finish()`. */
function slowPost(s: Server, p: string, body: string) {
  let finish!: () => void
  let headersSent!: Promise<void>
  const status = new Promise<number>((resolve, reject) => {
    const req = http.request(
      `${s.url}${p}`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode!))
      },
    )
    req.on('error', reject)
    headersSent = new Promise((r) => req.on('socket', (sock) => sock.once('connect', () => r())))
    req.write(body.slice(0, 5))
    finish = () => req.end(body.slice(5))
  })
  return {
    status,
    finish: () => finish(),
    get headersSent() {
      return headersSent
    },
  }
}

function cli(dataDir: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (b: Buffer) => {
      stdout += b
    })
    child.stderr.on('data', (b: Buffer) => {
      stderr += b
    })
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

// Real processes and databases: generous time, so a loaded CI machine slows them without failing them.
describe('claimdesk start', { timeout: 120_000 }, () => {
  it('stops at once with one line naming a wrong setting', async () => {
    const res = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, 'start'], {
        env: { ...process.env, PORT: 'eighty' },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stderr = ''
      child.stderr.on('data', (b: Buffer) => {
        stderr += b
      })
      child.on('exit', (code) => resolve({ code, stderr }))
    })
    expect(res.code).toBe(1)
    expect(res.stderr.trim()).toBe(
      'claimdesk: Invalid configuration: PORT must be a whole number from 0 to 65535 (got "eighty")',
    )
  })

  it('serves, lets the CLI work beside it, and on SIGTERM drains requests and stops the database', async () => {
    const dir = makeTraversableTempDir('claimdesk-proc-')
    dirs.push(dir)
    const server = await start(dir)
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
    expect(server.output()).not.toContain('switch off the audit trail') // the embedded database's server role is not its owner
    const docs = (await (await fetch(`${server.url}/openapi.json`)).json()) as { openapi: string }
    expect(docs.openapi).toBe('3.1.0')

    const demo = await cli(dir, ['demo', '--orders', '40'])
    expect(demo.code, demo.stderr).toBe(0)
    const line = demo.stdout.split('\n').find((l) => l.trim().startsWith('admin'))!
    const [, email, password] = line.trim().split(/\s+/)
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    })
    expect(login.status).toBe(200)
    expect(alive(postmasterPid(dir)!)).toBe(true) // the CLI left the server's database running

    // Requests in flight when SIGTERM arrives still get their answers: their bodies are still arriving.
    const inflight = Array.from({ length: 5 }, (_, i) =>
      slowPost(server, '/api/v1/teams', JSON.stringify({ name: `Drain ${i}` })),
    )
    await Promise.all(inflight.map((r) => r.headersSent))
    await new Promise((r) => setTimeout(r, 300))
    const pgPid = postmasterPid(dir)!
    server.child.kill('SIGTERM')
    await new Promise((r) => setTimeout(r, 300))
    for (const r of inflight) r.finish()
    const statuses = await Promise.all(inflight.map((r) => r.status))
    expect(statuses).toEqual([201, 201, 201, 201, 201])
    expect(await server.exited).toBe(0)
    expect(alive(pgPid)).toBe(false)
    expect(existsSync(path.join(dir, 'postgres', 'postmaster.pid'))).toBe(false)
  })

  it('stops node and the database when `npm start` itself gets SIGTERM (npm passes it through the script)', async () => {
    const dir = makeTraversableTempDir('claimdesk-proc-')
    dirs.push(dir)
    const server = await start(dir, {}, ['npm', 'start', '--silent'])
    const pgPid = postmasterPid(dir)!
    expect(alive(pgPid)).toBe(true)
    server.child.kill('SIGTERM')
    await server.exited
    const deadline = Date.now() + 30_000
    while (alive(pgPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    expect(alive(pgPid)).toBe(false)
    expect(existsSync(path.join(dir, 'postgres', 'postmaster.pid'))).toBe(false)
    expect(
      await fetch(`${server.url}/healthz`).then(
        () => 'answered',
        () => 'closed',
      ),
    ).toBe('closed')
  })

  it('restarts normally after kill -9, with an orphaned or a dead postmaster, and loses nothing acknowledged', async () => {
    const dir = makeTraversableTempDir('claimdesk-crash-')
    dirs.push(dir)
    let server = await start(dir)
    const created = await api(server, 'POST', '/teams', { name: 'Acknowledged before crash' })
    expect(created.status).toBe(201)
    const teamId = ((await created.json()) as { id: string }).id

    // 1. The Node process dies; its postmaster lives on as an orphan and is adopted.
    const orphan = postmasterPid(dir)!
    server.child.kill('SIGKILL')
    await server.exited
    expect(alive(orphan)).toBe(true)
    server = await start(dir)
    expect((await api(server, 'GET', `/teams/${teamId}`)).status).toBe(200)
    const second = await api(server, 'POST', '/teams', { name: 'Acknowledged before second crash' })
    expect(second.status).toBe(201)

    // 2. Both die at once: a stale postmaster.pid, WAL to replay.
    const pg = postmasterPid(dir)!
    server.child.kill('SIGKILL')
    process.kill(pg, 'SIGKILL')
    await server.exited
    await new Promise((r) => setTimeout(r, 200))
    expect(existsSync(path.join(dir, 'postgres', 'postmaster.pid'))).toBe(true)
    server = await start(dir)
    const teams = (await (await api(server, 'GET', '/teams?limit=200')).json()) as { data: { name: string }[] }
    expect(teams.data.map((t) => t.name)).toEqual(
      expect.arrayContaining(['Acknowledged before crash', 'Acknowledged before second crash']),
    )
    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
  })

  it('splits API and workers: a webhook taken by a WORKERS=false server is processed by `claimdesk worker`', async () => {
    const dir = makeTraversableTempDir('claimdesk-split-')
    dirs.push(dir)
    const server = await start(dir, { WORKERS: 'false' })
    expect(await (await fetch(`${server.url}/readyz`)).json()).toMatchObject({ checks: { workers: 'disabled' } })
    const conn = (await (
      await api(server, 'POST', '/integrations/connections', { source: '3pl', provider: 'generic', name: 'Split test' })
    ).json()) as { connection: { id: string; webhook_url: string }; secret: string }
    const body = JSON.stringify({ type: 'tracking.updated', data: { tracking_number: 'TEST123' } })
    const posted = await fetch(conn.connection.webhook_url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signedHeaders(conn.secret, body) },
      body,
    })
    expect(posted.status).toBe(200)
    const deliveryId = ((await posted.json()) as { delivery_id: string }).delivery_id
    const status = async () =>
      ((await (await api(server, 'GET', `/webhooks/deliveries/${deliveryId}`)).json()) as { status: string }).status
    expect(await status()).toBe('received') // nobody processes jobs yet

    const worker = spawn(process.execPath, [bin, 'worker'], {
      env: { ...process.env, DATA_DIR: dir, LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    })
    children.push(worker)
    const deadline = Date.now() + 30_000
    while ((await status()) !== 'processed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    expect(await status()).toBe('processed')
    worker.kill('SIGTERM')
    expect(await new Promise((r) => worker.on('exit', r))).toBe(0)
    expect(alive(postmasterPid(dir)!)).toBe(true) // the worker attached to the server's database and left it running
    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
  })

  it("uses DATABASE_URL instead of the embedded server, migrating as MIGRATION_DATABASE_URL's owner role", async () => {
    const dir = makeTraversableTempDir('claimdesk-external-')
    dirs.push(dir)
    const { url, adminUrl } = await createTestDatabase()
    const server = await start(dir, {
      DATABASE_URL: url,
      MIGRATION_DATABASE_URL: adminUrl,
      CLAIMDESK_SECRET_KEY: 'external-database-secret-key-0123456789abcdef',
    })
    expect((await api(server, 'POST', '/teams', { name: 'On the external database' })).status).toBe(201)
    expect(existsSync(path.join(dir, 'postgres'))).toBe(false)
    expect(server.output()).not.toContain('switch off the audit trail')
    const client = new pg.Client(adminUrl)
    await client.connect()
    const { rows: sessions } = await client.query(
      `select distinct usename from pg_stat_activity where datname = current_database() and application_name = 'claimdesk'`,
    )
    expect(sessions).toEqual([{ usename: 'claimdesk_app' }]) // the owner's connection closed after migrating
    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
    const { rows } = await client.query(`select name from teams where name = 'On the external database'`)
    await client.end()
    expect(rows).toHaveLength(1) // and the server left the external database running
  })

  it('still runs on a single superuser DATABASE_URL, warning that it could rewrite the audit trail', async () => {
    const dir = makeTraversableTempDir('claimdesk-external-')
    dirs.push(dir)
    const { adminUrl } = await createTestDatabase()
    const server = await start(dir, {
      DATABASE_URL: adminUrl,
      CLAIMDESK_SECRET_KEY: 'external-database-secret-key-0123456789abcdef',
    })
    expect((await api(server, 'POST', '/teams', { name: 'On one URL' })).status).toBe(201)
    expect(server.output()).toContain('connects to PostgreSQL as a superuser, which can switch off the audit trail')
    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
  })

  it('runs a CLI command with no server running, and leaves no database behind', async () => {
    const dir = makeTraversableTempDir('claimdesk-cli-')
    dirs.push(dir)
    const res = await cli(dir, ['migrate'])
    expect(res.code, res.stderr).toBe(0)
    expect(res.stdout).toContain('database is up to date')
    expect(postmasterPid(dir)).toBeUndefined()
  })
})
