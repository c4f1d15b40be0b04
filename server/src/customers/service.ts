// The customers module's public face: other modules call these, never customers/store.ts.
export {
  getCustomer,
  findSurvivor,
  findCustomerByExternalId,
  listCustomers,
  customerIdentity,
} from './service/find-customers.js'
export { upsertCustomer } from './service/upsert-customer.js'
export { redactCustomer } from './service/redact-customer.js'
export { importCustomers } from './service/import-customers.js'
export { normalisePhone } from './service/customer-fields.js'
export {
  findPhoneConsent,
  recordPhoneOptOut,
  type PhoneConsent,
  type PhoneChannelName,
} from './service/phone-opt-out.js'
export type { Customer, CustomerInput, CustomerRecord } from './types.js'
