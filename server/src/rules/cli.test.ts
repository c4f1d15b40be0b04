import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Command } from 'commander'
import { afterEach, describe, expect, it } from 'vitest'
import { createTestMerchant, startTestEnv } from '../../test/harness.js'
import { rulesCli } from './cli.js'
import { exportRules } from './service/text-file.js'

const env = await startTestEnv()
const m = await createTestMerchant(env.ctx)
const dir = await mkdtemp(join(tmpdir(), 'rules-cli-'))

async function run(...args: string[]): Promise<string[]> {
  const lines: string[] = []
  const program = new Command().exitOverride()
  rulesCli(program, {
    withContext: (fn) => fn(env.ctx),
    resolveWorkspace: async () => m.id,
    out: (line) => lines.push(line),
  })
  await program.parseAsync(['node', 'claimdesk', 'rules', ...args])
  return lines
}

afterEach(() => {
  process.exitCode = undefined
})

describe('npx claimdesk rules', () => {
  it('exports to a file, and imports it back changing nothing', async () => {
    const file = join(dir, 'rules.txt')
    expect(await run('export', '--out', file)).toEqual([`wrote the rules to ${file}`])
    expect(await readFile(file, 'utf8')).toBe(await exportRules(env.ctx.db, m.id))
    const lines = await run('import', file)
    expect(lines.slice(0, 2)).toEqual(['0 created', '0 updated'])
    expect(lines[2]).toMatch(/^6 unchanged: /)
  })

  it('imports with --dry-run and --replace, and prints each problem of a refused file at its line', async () => {
    const file = join(dir, 'one.txt')
    await writeFile(file, "# name: Tag damaged\nIF case_type = 'Damaged' THEN add_tag('fragile').\n")
    const dry = await run('import', file, '--replace', '--dry-run')
    expect(dry.slice(0, 2)).toEqual(['dry run: nothing was changed', '1 would be created: Tag damaged'])
    expect(dry[4]).toMatch(/^6 would be deleted: /)
    expect((await exportRules(env.ctx.db, m.id)).includes('Tag damaged')).toBe(false)

    const bad = join(dir, 'bad.txt')
    await writeFile(bad, "# name: Broken\n# mode: loud\nIF case_type = 'Damaged' THEN add_tag('x').\n")
    expect(await run('import', bad)).toEqual([
      'The rules file is not valid: nothing was imported',
      `${bad}:2:1: the mode is one of active, shadow, disabled (rule "Broken")`,
    ])
    expect(process.exitCode).toBe(1)
  })

  it('tests a draft over a range and prints the counts, or the JSON report', async () => {
    const file = join(dir, 'draft.txt')
    await writeFile(file, "IF case_type = 'Damaged' THEN add_tag('fragile').\n")
    const range = ['--from', '2026-11-01T00:00:00Z', '--to', '2026-11-08T00:00:00Z']
    const lines = await run('test', file, ...range)
    expect(lines[0]).toBe('2026-11-01T00:00:00.000Z to 2026-11-08T00:00:00.000Z: 0 events scanned')
    expect(lines).toContain('matched: 0')
    const json = JSON.parse((await run('test', file, ...range, '--json', '--limit', '10')).join('\n'))
    expect(json).toMatchObject({ from: '2026-11-01T00:00:00.000Z', events_scanned: 0, truncated: false })
    await expect(run('test', file, ...range, '--limit', '50000')).rejects.toThrow('1–20000 events')
    await expect(run('test', file, '--from', 'yesterday', '--to', '2026-11-08T00:00:00Z')).rejects.toThrow('--from')
  })
})
