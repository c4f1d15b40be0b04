#!/usr/bin/env node
// `npm run bench -- <name> [--flags]`: one benchmark on a fresh embedded database; JSON lines on stdout.
import { register } from 'tsx/esm/api'

register()
await import('../bench/index.ts')
