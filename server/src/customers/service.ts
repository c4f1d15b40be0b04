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
  findCustomerByPhone,
  findPhoneConsent,
  recordImpliedPhoneConsent,
  setPhoneOptOut,
  type PhoneConsent,
} from './service/phone-consent.js'
export type { Customer, CustomerInput, CustomerRecord } from './types.js'
