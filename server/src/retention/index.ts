// What other modules use of retention: the legal-hold checks. Evidence's purger plugs in through Module.purgers
// (see PurgeBatch in modules.ts) and its file check through Module.blobHolds.
export { assertNotHeld, findHolds, heldCaseIds, isHeld, type HoldTarget } from './service/find-holds.js'
