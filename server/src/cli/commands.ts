import type { Command } from 'commander'
import type { AppContext } from '../context.js'

export type CliTools = {
  withContext: <T>(fn: (ctx: AppContext) => Promise<T>) => Promise<T>
  resolveWorkspace: (ctx: AppContext, slug: string | undefined) => Promise<string>
  out: (line: string) => void
}

/** Commands contributed by modules (audit verify, replay-webhooks, …), each adding itself to the program. */
export const cliCommands: ((program: Command, tools: CliTools) => void)[] = []
