#!/usr/bin/env node
// Runs the TypeScript sources with no build step between `npm ci` and `npm start`: bundled by esbuild on first use
// (and again when a source changes) into node_modules/.cache, so a start loads one file instead of some 600 through
// tsx's loader thread (4 s → ~1 s here). Where that cache cannot be written, tsx runs the sources directly.
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const entry = fileURLToPath(new URL('../server/src/cli/index.ts', import.meta.url))
const root = fileURLToPath(new URL('..', import.meta.url))
// Three levels below the project root, as the sources that find web/ and docs/ by their own URL are; one per
// checkout, as worktrees may share node_modules.
const checkout = createHash('sha256').update(root).digest('hex').slice(0, 12)
const cache = new URL(`../node_modules/.cache/claimdesk-${checkout}/`, import.meta.url)
const bundle = fileURLToPath(new URL('cli.mjs', cache))
const inputsFile = fileURLToPath(new URL('cli.inputs.json', cache))

const mtime = (file) => {
  try {
    return statSync(file).mtimeMs
  } catch {
    return Number.POSITIVE_INFINITY
  }
}

function fresh() {
  const built = mtime(bundle)
  if (built === Number.POSITIVE_INFINITY) return false
  try {
    return JSON.parse(readFileSync(inputsFile, 'utf8')).every((f) => mtime(root + f) < built)
  } catch {
    return false
  }
}

async function rebuild() {
  const { build } = await import('esbuild')
  mkdirSync(cache, { recursive: true })
  const tmp = `${bundle}.${process.pid}.tmp`
  const result = await build({
    entryPoints: [entry],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'inline',
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: root,
  })
  // Renamed into place whole, so a process starting beside this one never loads half a bundle.
  writeFileSync(`${inputsFile}.${process.pid}.tmp`, JSON.stringify(Object.keys(result.metafile.inputs)))
  renameSync(`${inputsFile}.${process.pid}.tmp`, inputsFile)
  renameSync(tmp, bundle)
}

let loaded = false
try {
  if (!fresh()) await rebuild()
  loaded = true
} catch {
  // A read-only install: run the sources through tsx instead.
}
if (loaded) {
  process.setSourceMapsEnabled(true)
  await import(new URL('cli.mjs', cache).href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import('../server/src/cli/index.ts')
}
