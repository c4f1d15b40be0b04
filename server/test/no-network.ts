import net from 'node:net'

// Tests must never wait on the outside world: any connection to a non-loopback address fails at once.
const loopback = (host: string | undefined) =>
  !host ||
  host === 'localhost' ||
  host === '::1' ||
  host.startsWith('127.') ||
  host === '0.0.0.0' ||
  host === '::ffff:127.0.0.1'

// Files that share a worker run this setup each: wrap the real connect once.
const original = net.Socket.prototype.connect
if (original.name !== 'guarded')
  net.Socket.prototype.connect = function guarded(this: net.Socket, ...args: unknown[]) {
    const first = args[0] as { host?: string; path?: string } | number | string
    const host =
      typeof first === 'object' && first !== null
        ? first.path
          ? 'localhost'
          : first.host
        : typeof first === 'number'
          ? (args[1] as string | undefined)
          : undefined
    if (typeof first === 'string' && Number.isNaN(Number(first))) return original.apply(this, args as never) // unix socket path
    if (!loopback(host)) throw new Error(`Test tried to reach ${host}: only loopback addresses are allowed in tests`)
    return original.apply(this, args as never)
  } as typeof net.Socket.prototype.connect
