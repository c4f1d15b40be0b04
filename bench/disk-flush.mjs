// Disk flush probe in its own process: an 8 KiB write and fdatasync every 10 ms in the database's
// directory, as PostgreSQL flushes WAL at each commit. A paced run's p99 is only as good as the
// device's flushes during it: every acknowledgement waits for one.
import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs'
import path from 'node:path'
import { percentileMs } from './percentile.mjs'

process.once('message', async ({ dir, duration }) => {
  const file = path.join(dir, 'disk-flush-probe')
  const fd = openSync(file, 'w+')
  const block = Buffer.alloc(8192, 1)
  const blocks = 128 // overwritten in place, like a recycled WAL segment: no metadata to journal
  for (let i = 0; i < blocks; i++) writeSync(fd, block, 0, block.length, i * block.length)
  fdatasyncSync(fd)
  const flushes = []
  const end = performance.now() + duration * 1000
  for (let i = 0; performance.now() < end; i++) {
    const t = performance.now()
    writeSync(fd, block, 0, block.length, (i % blocks) * block.length)
    fdatasyncSync(fd)
    flushes.push(performance.now() - t)
    await new Promise((r) => setTimeout(r, 10))
  }
  closeSync(fd)
  rmSync(file)
  flushes.sort((a, b) => a - b)
  const at = (p) => percentileMs(flushes, p)
  process.send(
    {
      disk_flush_p50_ms: at(50),
      disk_flush_p99_ms: at(99),
      disk_flush_max_ms: at(100),
      disk_flushes_over_25ms: flushes.filter((d) => d > 25).length,
    },
    () => process.exit(0),
  )
})
