// The messaging module's public face: other modules call these, never messaging/store.ts.
export {
  recordMessage,
  findThreadForMessageHeader,
  bareMessageId,
} from './service/record-message.js'
export type { Message, NewMessage, NewAttachment, MessageAttachment, MessageRecipient, Address } from './types.js'
export {
  listCaseMessages,
  listFailedMessages,
  listPublicMessages,
  countPortalMessagesSince,
  getMessage,
  openRawMessage,
  openAttachment,
} from './service/conversation.js'
export { sendMessage, retryMessage, mailSetupOf, type MailSetup, type SendInput } from './service/send-message.js'
export {
  sendAutomatic,
  type AutomaticApp,
  type AutomaticOptions,
  type AutomaticResult,
} from './phone/automatic.js'
