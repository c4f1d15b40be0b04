// The cases module's public face: other modules call these, never cases/store/.
// The vocabulary a case's fields take, for callers that check values (the rules' actions).
export { caseStatuses, priorities, rootCauses } from './tables.js'
export {
  ensureDefaultCaseTypes,
  listCaseTypes,
  getCaseType,
  createCaseType,
  updateCaseType,
  deleteCaseType,
  validateCustomFields,
  type CaseTypeInput,
} from './service/case-types.js'
export { openCase, type OpenCaseInput } from './service/open-case.js'
export {
  updateCase,
  changeStatus,
  reopenCase,
  assignCase,
  escalateCase,
  addNote,
  type CasePatch,
  type StatusInput,
} from './service/work-case.js'
export {
  linkRecords,
  unlinkRecord,
  registerLinkType,
  linkTypes,
  refreshCustomerLinks,
  customerChangeReachesLinks,
  type LinkInput,
  type LinkResolver,
} from './service/links.js'
export { recordCaseActivity, type CaseActivity } from './service/record-activity.js'
export { lockCaseOrThrow, type OwnEvent as CaseActivityEvent } from './service/change.js'
export { mergeCases } from './service/merge-cases.js'
export { survivingCaseId, lockSurvivingCaseId } from './service/survivor.js'
export {
  caseRetentionFacts,
  customersWithCaseActivity,
  listCaseIdsOfCustomer,
  listTimelineEntriesOfType,
  redactTimelineEntries,
  redactNotifications,
  type TimelineEntryText,
  type TimelineRewrite,
} from './service/erasure.js'
export { findCaseOrThrow, getCase, listCases, listCaseTimeline, type CaseList } from './service/find-cases.js'
export {
  appendTimelineEntry,
  appendTimelineEntries,
  useTimelineTypes,
  decodeTimelineCursor,
  type NewTimelineEntry,
} from './service/timeline.js'
export {
  notifyUsers,
  listNotifications,
  countUnreadNotifications,
  markNotificationsRead,
  followCase,
  unfollowCase,
  listFollowers,
} from './service/notifications.js'
export { getCaseSettings, updateCaseSettings, type CaseSettings } from './service/case-settings.js'
export {
  onShipmentStatusChanged,
  onShipmentOverdue,
  fireWatch,
  fireLostCheck,
  listReviews,
  decideReview,
  watchTask,
  lostTask,
  statusSignal,
} from './service/exception-policy.js'
export {
  openOrUpdateShipmentCase,
  listUnresolvedShipmentCaseIds,
  listUnresolvedCaseRefs,
  type CarrierSignal,
  type ShipmentCaseInput,
  type ShipmentCaseOutcome,
} from './service/shipment-case.js'
export { importCases, caseRecordVocabulary, type CaseRecord, type ImportedCase } from './service/import-cases.js'
export {
  autoAssignCase,
  routeNewCase,
  pickAssignee,
  teamAgents,
  updateAgent,
  matchRoute,
  type Agent,
  type AgentInput,
  type AutoAssignInput,
} from './service/assignment.js'
export { splitCase, type SplitInput } from './service/split-case.js'
export { attachToIncident, detachFromIncident } from './service/incidents.js'
export { bulkUpdate, fanOutToChildren, type BulkAction, type BulkItem } from './service/bulk-update.js'
export {
  listViews,
  createView,
  updateView,
  deleteView,
  type CaseView as SavedView,
  type ViewInput,
} from './service/views.js'
export { onTrackingEventRecorded, scanReachesCases } from './service/carrier-scans.js'
export { closeDueCases } from './service/auto-close.js'
export { caseStats, type CaseStats } from './service/stats.js'
export {
  setPresence,
  listPresence,
  purgeStalePresence,
  presenceTtlMs,
  type Presence,
  type PresenceState,
} from './service/presence.js'
