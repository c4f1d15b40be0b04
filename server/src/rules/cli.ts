import { readFile, writeFile } from 'node:fs/promises'
import { InvalidArgumentError } from 'commander'
import { systemContext } from '../auth/actor.js'
import { AppError } from '../errors.js'
import type { CliCommand } from '../modules.js'
import { testRule } from './service/test-rule.js'
import { exportRules, type ImportResult, importRules } from './service/text-file.js'
import type { DryRunReport, RuleProblem } from './types.js'

const instant = (flag: string) => (v: string) => {
  const d = new Date(v)
  if (Number.isNaN(d.getTime())) throw new InvalidArgumentError(`${flag} takes an ISO 8601 instant`)
  return d
}

const count = (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError('--limit takes a whole number above 0')
  return Number(v)
}

/** An import's outcome as lines: what changed, by name. */
export function importLines(r: ImportResult): string[] {
  const verb = r.dry_run ? 'would be' : ''
  const line = (what: string, names: string[]) =>
    `${names.length} ${[verb, what].filter(Boolean).join(' ')}${names.length ? `: ${names.join(', ')}` : ''}`
  return [
    ...(r.dry_run ? ['dry run: nothing was changed'] : []),
    line('created', r.created),
    line('updated', r.updated),
    line('unchanged', r.unchanged),
    line('deleted', r.deleted),
  ]
}

/** A dry run's counts as lines. */
export function reportLines(r: DryRunReport): string[] {
  const actions = Object.entries(r.actions).map(([name, n]) => `  ${name}: ${n}`)
  return [
    `${r.from} to ${r.to}: ${r.events_scanned} events scanned${r.truncated ? ' (truncated: more in the range)' : ''}`,
    `evaluations: ${r.evaluations}`,
    `matched: ${r.matched}`,
    `cases it would have opened: ${r.cases_opened}`,
    `cases it would have changed: ${r.cases_changed}`,
    `actions it would have taken:${actions.length ? '' : ' none'}`,
    ...actions,
  ]
}

/** A refused rule or file: each problem as FILE:LINE:COLUMN, as compilers print them; otherwise rethrown. */
function problemsOf(err: unknown, file: string): string[] {
  if (!(err instanceof AppError) || (err.code !== 'rule_invalid' && err.code !== 'rules_file_invalid')) throw err
  const problems = (err.details?.problems ?? []) as (RuleProblem & { rule?: string })[]
  return [
    err.message,
    ...problems.map((p) => `${file}:${p.line}:${p.column}: ${p.message}${p.rule ? ` (rule "${p.rule}")` : ''}`),
  ]
}

export const rulesCli: CliCommand = (program, { withContext, resolveWorkspace, out }) => {
  const rules = program.command('rules').description('Automation rules: export, import and test them as text')

  rules
    .command('export')
    .description("Write the workspace's rules as one text file (configuration as code)")
    .option('--out <file>', 'write here instead of standard output')
    .option('--workspace <slug>', 'needed when there are several workspaces')
    .action(async (o: { out?: string; workspace?: string }) => {
      await withContext(async (ctx) => {
        const text = await exportRules(ctx.db, await resolveWorkspace(ctx, o.workspace))
        if (!o.out) return void process.stdout.write(text)
        await writeFile(o.out, text)
        out(`wrote the rules to ${o.out}`)
      })
    })

  rules
    .command('import <file>')
    .description('Merge a rules file by rule name, all or nothing (exits 1 and prints each problem if any)')
    .option('--replace', 'also delete the rules the file does not name')
    .option('--dry-run', 'report what would change without changing it')
    .option('--workspace <slug>', 'needed when there are several workspaces')
    .action(async (file: string, o: { replace?: boolean; dryRun?: boolean; workspace?: string }) => {
      const text = await readFile(file, 'utf8')
      await withContext(async (ctx) => {
        const merchantId = await resolveWorkspace(ctx, o.workspace)
        const opts = { replace: o.replace ?? false, dryRun: o.dryRun ?? false }
        try {
          const result = await ctx.db
            .transaction()
            .execute((trx) => importRules(trx, systemContext(merchantId, 'rules import'), text, opts, new Date()))
          for (const line of importLines(result)) out(line)
        } catch (err) {
          for (const line of problemsOf(err, file)) out(line)
          process.exitCode = 1
        }
      })
    })

  rules
    .command('test <file>')
    .description('Dry run: what the rule in FILE would have done over the stored events of a range (no side effects)')
    .requiredOption('--from <instant>', 'start of the range (ISO 8601)', instant('--from'))
    .requiredOption('--to <instant>', 'end of the range, at most 90 days later', instant('--to'))
    .option('--limit <n>', 'events to scan at most', count)
    .option('--json', 'print the whole report as JSON')
    .option('--workspace <slug>', 'needed when there are several workspaces')
    .action(async (file: string, o: { from: Date; to: Date; limit?: number; json?: boolean; workspace?: string }) => {
      const source = await readFile(file, 'utf8')
      await withContext(async (ctx) => {
        const merchantId = await resolveWorkspace(ctx, o.workspace)
        try {
          const report = await testRule(ctx, merchantId, { source, from: o.from, to: o.to, limit: o.limit })
          for (const line of o.json ? [JSON.stringify(report, null, 2)] : reportLines(report)) out(line)
        } catch (err) {
          for (const line of problemsOf(err, file)) out(line)
          process.exitCode = 1
        }
      })
    })
}
