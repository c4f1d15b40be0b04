// The one error type, and the one catalogue of the codes clients branch on, with their statuses.
// A code used anywhere must be declared here (the type system refuses others), and an error takes its status from
// here: a code with several statuses names which one at the throw.
export const errorCatalogue = {
  // requests
  validation_failed: 400,
  invalid_json: 400,
  bad_url: 400,
  bad_request: [400, 403, 404, 405, 406, 411, 412, 416, 417], // a 4xx raised by the HTTP framework or a plugin
  route_not_found: 404,
  request_timeout: 408,
  payload_too_large: 413,
  uri_too_long: 414,
  headers_too_large: 431, // request line and headers beyond maxHeaderSize, refused by Node's parser
  unsupported_media_type: 415,
  too_many_requests: 429,
  unprocessable: 422, // the database refused a value the schema let through
  conflict: 409, // the database refused a duplicate or a dangling reference
  idempotency_in_progress: 409, // same Idempotency-Key still being processed
  idempotency_key_reused: 422, // same Idempotency-Key sent with a different request
  // authentication and authorisation
  unauthenticated: 401,
  invalid_credentials: 401,
  too_many_attempts: 429, // sign-in refused: the account is locked, or the address is guessing
  workspace_required: 400, // the email belongs to several workspaces; name one
  csrf_failed: 403, // cookie-authenticated mutation without the session's CSRF token
  forbidden: 403,
  limit_exceeded: 403, // the permission holds, but its amount bound is lower
  password_unchanged: 422,
  // workspaces, people, roles, teams
  merchant_not_found: 404,
  merchant_slug_taken: 409,
  time_zone_unknown: 422,
  currency_unknown: 422,
  exchange_rate_not_found: 404,
  exchange_rate_missing: 422, // no rate for the pair on or before the day asked
  user_not_found: 404,
  user_email_taken: 409,
  cannot_change_self: 409,
  last_admin: 409, // the workspace would be left without an active admin
  role_not_found: 404,
  role_builtin: 409, // built-in roles' permissions are fixed in code
  role_in_use: 409,
  cannot_change_own_role: 403, // nobody may change or delete the role they act under (or lift their own bounds)
  team_not_found: 404,
  team_name_taken: 409,
  api_key_not_found: 404,
  audit_record_not_found: 404, // no entries here for that record: unknown, or another workspace's
  // commerce records
  customer_not_found: 404,
  customer_merged: 409, // merged into another customer: that one is the record now
  customer_merge_self: 422,
  phone_invalid: 422, // not E.164
  order_not_found: 404,
  payment_not_found: 404,
  refund_exceeds_captured: 422, // refunds on a payment may never exceed what it captured
  shipment_not_found: 404,
  order_line_unknown: 422, // a shipment names a line its order does not have
  // cases
  case_not_found: 404,
  case_type_not_found: 404,
  case_type_exists: 409,
  case_type_archived: 422, // archived types keep their cases but open no new ones
  case_type_in_use: 409, // a type with cases is archived, never deleted
  case_transition_invalid: 409, // details.allowed lists the statuses the case can move to
  resolution_required: 422, // resolving needs a resolution code
  case_merged: 409, // merged into another case: act on details.merged_into_id instead
  case_merge_invalid: 422,
  custom_field_invalid: 422, // details.errors lists each field and why
  link_target_not_found: 422, // a link names a record this workspace does not have
  assignee_invalid: 422, // not an active person of this workspace (or not in the case's team)
  review_not_found: 404,
  review_not_pending: 409, // decided already
  routing_no_match: 422, // no routing rule matches the case and it has no team
  case_split_invalid: 422,
  case_incident_invalid: 422, // e.g. a case cannot be its own parent, or an incident's child already has another
  view_not_found: 404,
  view_name_taken: 409,
  bulk_too_large: 413,
  message_not_found: 404,
  message_sid_unknown: 409, // a Twilio status callback that came before its send recorded the SID: retried
  media_unavailable: 502, // a provider's media that could not be fetched yet: the delivery is retried
  message_raw_not_found: 404, // the message has no stored original (.eml)
  message_not_retryable: 409, // only failed, held and not-sent messages go out again
  message_redacted: 410, // the customer's erasure reached the message: its original (.eml) is gone for good
  recipient_required: 422, // no address given and the case's customer has no email
  attachment_invalid: 422, // not a stored attachment of a message on this case
  side_conversation_not_found: 404,
  // SMS and WhatsApp (issue 23, the send side)
  recipient_opted_out: 409, // the customer said STOP on this channel: nothing goes to it until they opt in again
  whatsapp_window_closed: 409, // no inbound WhatsApp in 24 h: only an approved template (content_sid) goes out
  customer_phone_missing: 422, // no phone given and the case's customer has none
  phone_channel_invalid: 422, // a field that belongs to another channel (content_sid on SMS, to on a phone message…)
  // integrations and the webhook inbox
  connection_not_found: 404,
  provider_not_found: 404,
  provider_unknown: 422,
  secret_invalid: 422,
  secret_required: 422,
  signature_invalid: 401, // webhook signature did not verify against any active secret
  dedup_key_invalid: 400,
  delivery_not_found: 404,
  delivery_already_queued: 409,
  // carrier tracking
  payload_invalid: 400, // a webhook body that is JSON but not the provider's shape
  tracker_not_found: 404,
  proof_not_found: 404,
  // files and customer links
  file_empty: 400,
  file_too_large: 413,
  unsupported_file_type: 415,
  file_not_found: 404,
  file_key_invalid: 400,
  link_invalid: [401, 403], // 401 forged or malformed; 403 valid but for another purpose or record
  link_expired: 401,
  link_lifetime_too_long: 400,
  link_revoked: 410, // an agent revoked the link (or cancelled its evidence request)
  link_completed: 410, // the link did its job (every piece of evidence asked for came in)
  link_not_found: 404,
  // evidence requests, required evidence, packs
  evidence_request_not_found: 404,
  evidence_request_closed: 409, // completed or cancelled already: nothing to cancel
  evidence_request_invalid: 422, // details.errors lists why (unknown types, deadline in the past or too far)
  evidence_type_not_requested: 422, // the portal upload names a type the request did not ask for; details.wanted
  evidence_files_missing: 400, // a portal upload without any file part
  evidence_missing: 409, // the action needs evidence the case lacks; details.missing lists the type keys
  evidence_requirement_invalid: 422, // details.errors lists each action or type key and why
  evidence_order_missing: 409, // a commercial invoice is built from the case's order, and the case has none
  // automation rules
  rule_invalid: 422, // the rule's text does not parse or names what the workspace lacks; details.problems (line, column)
  rule_not_found: 404,
  rule_version_not_found: 404,
  rule_name_taken: 409,
  rules_file_invalid: 422, // an imported rules file is malformed; details.problems (line, column) or details.rules
  // messaging: templates and macros
  template_not_found: 404,
  template_version_not_found: 404,
  template_exists: 409, // one template per purpose, channel and locale: change that one
  template_archived: 409,
  template_not_live: 409, // no approved version is live: nothing can be sent from it automatically
  template_version_not_approved: 409, // only an approved version can go live
  template_version_approved: 409, // approved already
  template_unchanged: 409, // the draft is the same as the latest version: nothing to save
  template_invalid: 422, // the Liquid does not parse; details.problems lists why
  macro_not_found: 404,
  macro_name_taken: 409,
  macro_invalid: 422, // details.errors lists each field or action and why (unknown template, status, tag, person)
  customer_email_missing: 422, // the case's customer has no email address to write to
  mail_server_not_configured: 409, // no SMTP_URL: nothing can be sent, test sends included
  mail_send_failed: 502, // the mail server refused the message or could not be reached; details.reply says why
  // SLAs: business-hours calendars
  sla_calendar_not_found: 404,
  sla_calendar_name_taken: 409,
  sla_calendar_invalid: 422, // details.errors lists each field and why (zone, hours, overlaps, no open time)
  sla_calendar_in_use: 409, // policies or teams use it (details.policy_ids, team_ids): change those first
  sla_calendar_closed: 422, // the calendar never opens: no deadline can be computed on it
  ics_invalid: 400, // the iCalendar file does not parse; details.reason is the parser's message
  // SLAs: policies and the clocks on cases
  sla_policy_not_found: 404,
  sla_policy_version_not_found: 404,
  sla_policy_name_taken: 409,
  sla_policy_invalid: 422, // details.errors lists each path and why (targets, steps, calendars, teams, users)
  sla_policy_unchanged: 409, // the draft is the live version: nothing to publish
  sla_policy_fallback: 409, // the fallback policy cannot be deleted: every case falls back to it
  sla_target_not_found: 404, // the case's policy has no such target (and none runs on the case)
  sla_calendar_required: 422, // business time needs a calendar: the target has none, so name calendar_id
  sla_case_unsupported: 409, // the case was merged into another: its SLA lives there
  // CSAT / NPS surveys
  csat_survey_not_found: 404,
  csat_survey_answered: 409, // a survey takes one answer: the first one stands
  csat_score_out_of_range: 400, // csat takes 1–5, nps 0–10; details.min and max
  // retention, legal holds and erasure (issue 24)
  legal_hold: 409, // a legal hold on the case or customer (details.hold_ids) blocks deletion, purge and erasure
  hold_not_found: 404,
  hold_released: 409, // released already: a hold is released once; place a new one to hold again
  retention_policy_invalid: 422, // details.errors lists each policy and why (unknown kind, start, days)
  delivery_body_purged: 410, // retention took the delivery's raw body: there is nothing left to replay
  // evidence (issue 24)
  evidence_not_found: 404,
  evidence_type_unknown: 422, // no evidence type with this key in the workspace's catalogue
  evidence_type_not_found: 404,
  evidence_type_exists: 409, // built-in or the workspace's own: change that one instead
  evidence_type_invalid: 422, // formats that do not fit the kind, or a size over the kind's cap
  file_missing: 400, // the multipart request has no file part, or a field came after it
  file_corrupt: 422, // the bytes do not decode as the type they are (a truncated image, a PDF without its end)
  file_polyglot: 422, // the file is also another kind of file: an archive, script or page hidden in or after it
  file_pixel_limit: 422, // an image with more pixels than may be decoded (a decompression bomb); details.max_pixels
  file_active_content: 422, // a PDF with JavaScript or launch actions
  file_name_invalid: 400, // the file's name is nothing but path segments or control characters
  // server side
  internal_error: 500,
  not_ready: 503,
} as const satisfies Record<string, number | readonly number[]>

export type ErrorCode = keyof typeof errorCatalogue

type Catalogued<C extends ErrorCode> = (typeof errorCatalogue)[C]
/** The statuses a code may answer with: its one status, or one of its several. */
export type StatusOf<C extends ErrorCode> =
  Catalogued<C> extends readonly number[] ? Catalogued<C>[number] : Catalogued<C>

export class AppError<C extends ErrorCode = ErrorCode> extends Error {
  readonly status: number

  /** `status` picks one of the statuses a code has in the catalogue; without it, the first. */
  constructor(
    readonly code: C,
    message: string,
    readonly details?: Record<string, unknown>,
    status?: StatusOf<C>,
  ) {
    super(message)
    this.name = 'AppError'
    const catalogued: number | readonly number[] = errorCatalogue[code]
    this.status = (status as number | undefined) ?? (typeof catalogued === 'number' ? catalogued : catalogued[0]!)
  }
}

export type ErrorBody = { error: { code: string; message: string; details?: Record<string, unknown> } }

export function errorBody(err: AppError): ErrorBody {
  return { error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } }
}
