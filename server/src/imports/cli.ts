import { createReadStream, createWriteStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { once } from 'node:events'
import { InvalidArgumentError } from 'commander'
import type { CliCommand } from '../modules.js'
import { systemContext } from '../auth/actor.js'
import type { Db } from '../db/database.js'
import { runImport, type ImportHooks } from './service.js'
import {
  importFormats,
  importTypes,
  type ImportFormat,
  type ImportResult,
  type ImportType,
  type RowError,
} from './types.js'

export const sourcePattern = /^[a-z0-9][a-z0-9_.:-]{0,39}$/

export function formatOf(file: string, given?: string): ImportFormat {
  const format = given ?? (/\.(jsonl|ndjson)$/i.test(file) ? 'jsonl' : /\.csv$/i.test(file) ? 'csv' : undefined)
  if (!format)
    throw new InvalidArgumentError(
      `cannot tell the format of ${file} from its name: pass --format jsonl or --format csv`,
    )
  if (!(importFormats as readonly string[]).includes(format))
    throw new InvalidArgumentError(`--format must be one of ${importFormats.join(', ')}`)
  return format as ImportFormat
}

export type FileImport = { merchantId: string; type: ImportType; format: ImportFormat; source: string }

/** The import the CLI runs (and the benchmark measures): the file is streamed, never loaded whole. */
export async function importFile(
  db: Db,
  file: string,
  opts: FileImport,
  hooks: ImportHooks = {},
  now = new Date(),
): Promise<ImportResult> {
  const input = createReadStream(file, { highWaterMark: 256 * 1024 })
  await once(input, 'open') // a missing file fails here, as an error, not mid-stream
  const { merchantId, ...what } = opts
  return runImport(db, systemContext(merchantId, 'cli'), { ...what, input }, now, hooks)
}

export const describeError = (e: RowError) => `line ${e.line}${e.field ? `, ${e.field}` : ''}: ${e.message}`

const bar = (fraction: number, width = 30) => `[${'#'.repeat(Math.round(fraction * width)).padEnd(width, '.')}]`

export const importCli: CliCommand = (program, { withContext, resolveWorkspace, out }) => {
  program
    .command('import')
    .description(
      'Import orders, customers, shipments or historical cases from JSON lines or CSV; re-running the same file changes nothing',
    )
    .argument('<file>', 'a .jsonl (one record a line) or .csv file (columns: server/src/imports/README.md)')
    .option('--type <type>', importTypes.join(', '), 'orders')
    .option('--format <format>', 'jsonl or csv (default: from the file name)')
    .option(
      '--source <source>',
      "where the records come from; with each record's external_id it identifies the record",
      'import',
    )
    .option('--workspace <slug>', 'needed when there are several workspaces')
    .option('--errors <file>', 'write every refused row here, as JSON lines')
    .action(
      async (
        file: string,
        o: { type: string; format?: string; source: string; workspace?: string; errors?: string },
      ) => {
        if (!(importTypes as readonly string[]).includes(o.type))
          throw new InvalidArgumentError(`--type must be one of ${importTypes.join(', ')}`)
        if (!sourcePattern.test(o.source))
          throw new InvalidArgumentError('--source must be a short lower-case name such as import or erp')
        const format = formatOf(file, o.format)
        const size = (await stat(file)).size
        const errorsOut = o.errors ? createWriteStream(o.errors) : undefined
        if (errorsOut) await once(errorsOut, 'open')
        await withContext(async (ctx) => {
          const merchantId = await resolveWorkspace(ctx, o.workspace)
          const started = Date.now()
          const tty = process.stderr.isTTY
          let progress = { rows: 0, bytes: 0 }
          const draw = () => {
            const seconds = (Date.now() - started) / 1000
            const rate = Math.round(progress.rows / Math.max(seconds, 0.001))
            const fraction = size ? Math.min(progress.bytes / size, 1) : 1
            process.stderr.write(
              `\r${bar(fraction)} ${(fraction * 100).toFixed(0).padStart(3)}%  ${progress.rows.toLocaleString('en')} rows  ${rate.toLocaleString('en')} rows/s `,
            )
          }
          const timer = tty ? setInterval(draw, 200) : undefined
          try {
            const result = await importFile(
              ctx.db,
              file,
              { merchantId, type: o.type as ImportType, format, source: o.source },
              {
                onProgress: (p) => {
                  progress = p
                },
                onError: (e) => errorsOut?.write(`${JSON.stringify(e)}\n`),
              },
            )
            if (tty) {
              progress = { rows: result.rows, bytes: size }
              draw()
              process.stderr.write('\n')
            }
            for (const e of result.errors.slice(0, 20)) out(describeError(e))
            if (result.failed > 20 || result.errors.length > 20)
              out(`… ${o.errors ? `every refused row is in ${o.errors}` : 'pass --errors <file> for all of them'}`)
            const landed = result.imported + result.updated + result.unchanged
            out(
              `imported ${landed}, skipped ${result.failed} bad rows, took ${((Date.now() - started) / 1000).toFixed(1)} s`,
            )
            out(`  ${result.imported} new, ${result.updated} updated, ${result.unchanged} unchanged`)
            if (result.unlinked)
              out(
                `  ${result.unlinked} landed without the order or customer they name: none with that id was imported with --source ${o.source}`,
              )
            // The good rows landed, but a script must be able to tell that some did not.
            if (result.failed) process.exitCode = 2
          } finally {
            clearInterval(timer)
            if (errorsOut) {
              errorsOut.end()
              await once(errorsOut, 'finish')
            }
          }
        })
      },
    )
}
