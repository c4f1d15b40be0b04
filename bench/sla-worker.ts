// The SLA bench's worker process: the job workers, the clock runner and the modules' background loops,
// as `claimdesk worker` runs them, reporting each clock firing (instant, commit time) and its own CPU and
// RSS to the bench over IPC, so that a SIGKILL loses at most the last report interval.
import { loadConfig } from '../server/src/config.js'
import { startWorker } from '../server/src/jobs/worker.js'
import { modules as registered } from '../server/src/registry.js'
import { openRuntime } from '../server/src/runtime.js'
import { step } from './sla-task.js'

export type WorkerReport = {
  /** [action id, instant ms, commit ms] of each action fired since the last report */
  fired: [string, number, number][]
  cpu_ms: number
  rss_mb: number
  at: number
}

const modules = step.module ? [...registered, step.module] : registered
const runtime = await openRuntime(loadConfig(), { takeOwnership: false })
const { ctx } = runtime
let fired: WorkerReport['fired'] = []
const runner = await startWorker(modules, ctx, {
  clock: {
    onFired: (actions, committedAt) => {
      for (const a of actions) if (a.result === 'fired') fired.push([a.id, a.at, committedAt])
    },
  },
})
const loops = modules.flatMap((m) => m.background ?? []).map((start) => start(ctx))
const report = () => {
  const cpu = process.cpuUsage()
  const r: WorkerReport = {
    fired,
    cpu_ms: (cpu.user + cpu.system) / 1000,
    rss_mb: Math.round(process.memoryUsage().rss / 1048576),
    at: Date.now(),
  }
  fired = []
  process.send!(r)
}
const timer = setInterval(report, 200)
process.send!({ ready: Date.now() })
process.once('SIGTERM', async () => {
  clearInterval(timer)
  await Promise.all(loops.map((stop) => stop()))
  await runner.stop().catch(() => undefined)
  report()
  await runtime.close()
  process.disconnect()
  process.exit(0)
})
