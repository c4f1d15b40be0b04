// The evidence module's public face (issue 24): other modules call these, never evidence/store.ts.
export { addEvidence, addEvidenceInTransaction, type AddEvidenceInput } from './service/add-evidence.js'
export { listCaseEvidence, openEvidenceFile, seesSensitive } from './service/manage-evidence.js'
export { evidenceContext, type EvidenceContext } from './service/context.js'
export { evidenceChecklist, type EvidenceChecklist } from './service/checklist.js'
export type { EvidenceItem } from './types.js'
export type { EvidenceType } from './catalogue.js'

/** The built-in evidence types as the workspace changed them, then its own. */
export { listEvidenceTypes as evidenceTypeCatalogue } from './service/catalogue.js'
