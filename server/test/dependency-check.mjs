// Reads dependency-cruiser's JSON (`depcruise … -T json`) on stdin: prints the rules' violations and any cycle
// between server/src folders, and exits non-zero when there is either. See .dependency-cruiser.cjs.
import { text } from 'node:stream/consumers'

const result = JSON.parse(await text(process.stdin))
const errors = result.summary.violations.filter((v) => v.rule.severity === 'error')
for (const v of errors) {
  const to = v.cycle ? v.cycle.map((c) => c.name).join(' → ') : v.to
  process.stdout.write(`error ${v.rule.name}: ${v.from} → ${to}\n`)
}

// A file under server/src/<folder>/ counts as <folder>; a file at the root of server/src is a node of its own.
const node = (path) => /^server\/src\/[^/]+/.exec(path)?.[0]
const skipped = (path) => /\.test\.ts$/.test(path) || /\/testing(\/|\.ts$)/.test(path)
// db/schema.ts names every module's tables.ts to make the Database type that every store is written against.
const composes = (from, to) => from === 'server/src/db/schema.ts' && /^server\/src\/[^/]+\/tables\.ts$/.test(to)
// Type-only imports (the Module descriptor, handler and provider interfaces, AuditActor) load nothing, so they
// make no load-order cycle; the folder graph is judged on the imports that run.
const typeOnly = (d) => d.dependencyTypes.includes('type-only')
const edges = new Map()
for (const m of result.modules) {
  const from = node(m.source)
  if (!from || skipped(m.source)) continue
  for (const d of m.dependencies) {
    const to = d.resolved && node(d.resolved)
    if (!to || to === from || typeOnly(d) || composes(m.source, d.resolved)) continue
    const key = `${from} → ${to}`
    if (!edges.has(key)) edges.set(key, `${m.source} → ${d.resolved}`)
  }
}
const next = new Map()
for (const key of edges.keys()) {
  const [from, to] = key.split(' → ')
  next.set(from, [...(next.get(from) ?? []), to])
}

// Tarjan's strongly connected components: a component of more than one folder is a cycle.
const index = new Map()
const low = new Map()
const stack = []
const components = []
const visit = (v) => {
  index.set(v, index.size)
  low.set(v, index.get(v))
  stack.push(v)
  for (const w of next.get(v) ?? []) {
    if (!index.has(w)) {
      visit(w)
      low.set(v, Math.min(low.get(v), low.get(w)))
    } else if (stack.includes(w)) low.set(v, Math.min(low.get(v), index.get(w)))
  }
  if (low.get(v) === index.get(v)) {
    const component = []
    let w
    do {
      w = stack.pop()
      component.push(w)
    } while (w !== v)
    if (component.length > 1) components.push(component.sort())
  }
}
for (const v of next.keys()) if (!index.has(v)) visit(v)
for (const component of components) {
  process.stdout.write(`error folder-cycle: ${component.join(', ')}\n`)
  for (const [key, example] of edges) {
    const [from, to] = key.split(' → ')
    if (component.includes(from) && component.includes(to)) process.stdout.write(`  ${key}  (${example})\n`)
  }
}
const failures = errors.length + components.length
process.stdout.write(
  `${failures ? '✘' : '✔'} ${result.summary.totalCruised} modules: ${errors.length} rule violations, ${components.length} folder cycles\n`,
)
process.exitCode = failures ? 1 : 0
