import type { CliCommand } from '../modules.js'

// npx claimdesk rules test|export|import: written with the API.
export const rulesCli: CliCommand = () => {}
