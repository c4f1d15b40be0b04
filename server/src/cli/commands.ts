import type { Command } from 'commander'
import type { AppContext } from '../context.js'

export type CliTools = {
  withContext: <T>(fn: (ctx: AppContext) => Promise<T>) => Promise<T>
  resolveWorkspace: (ctx: AppContext, slug: string | undefined) => Promise<string>
  out: (line: string) => void
}

/** A module's commands (audit verify, replay-webhooks, …): adds them to the program. */
export type CliCommand = (program: Command, tools: CliTools) => void
