// The templates' public face: other modules (sending, the composer, automations) call these.
export { renderForCase, type RenderForCaseOptions, type RenderedForCase } from './service/render-for-case.js'
export { allowedLinkHosts } from './service/link-hosts.js'
export { getEmailSettings, updateEmailSettings, mailSetup, type EmailSettings } from './service/email-settings.js'
export { ensureDefaultTemplates, seedDefaultTemplates } from './service/default-templates.js'
export type { RenderApp } from './service/case-variables.js'
export {
  listTemplates,
  getTemplate,
  createTemplate,
  updateDraft,
  saveVersion,
  approveVersion,
  makeVersionLive,
  archiveTemplate,
  findTemplateByName,
  type TemplateInput,
  type DraftInput,
} from './service/manage-templates.js'
export { previewTemplate, sendTestMessage, type Preview, type TestSend } from './service/preview.js'
export { templateVariables } from './variables.js'
export { recordTemplatedEmail, noMailServer, type SendApp } from './service/templated-message.js'
