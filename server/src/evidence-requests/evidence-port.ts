// What this module uses of the evidence module: its functions take an EvidenceContext (the service context and the
// app's db, blobs and config), since a file streams into the store before its transaction opens.
export {
  addEvidence,
  evidenceChecklist,
  evidenceContext,
  type EvidenceContext,
  type EvidenceItem,
  type EvidenceType,
  evidenceTypeCatalogue,
  listCaseEvidence,
  openEvidenceFile,
  seesSensitive as maySeeSensitive,
} from '../evidence/index.js'
