import { aftership } from './aftership.js'
import { easypost } from './easypost.js'
import { generic } from './generic.js'
import type { CarrierProvider } from './types.js'

/** Every carrier provider; the carriers module declares each as a webhook provider too (webhook-provider.ts). */
export const carrierProviderList: CarrierProvider[] = [easypost, aftership, generic]
