// The customers module's public face: other modules call these, never customers/store.ts.
export {
  getCustomer,
  findErasedAt,
  findSurvivor,
  findCustomerByExternalId,
  listCustomers,
  customerIdentity,
  listCustomersUnchangedSince,
} from './service/find-customers.js'
export { upsertCustomer } from './service/upsert-customer.js'
export {
  redactCustomer,
  useErasureGuards,
  type ErasureGuard,
  type ErasureOptions,
} from './service/redact-customer.js'
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
