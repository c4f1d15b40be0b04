import type { Module } from '../modules.js'
import { shopifyEvents } from './events.js'
import { shopifyProvider } from './provider.js'

/** Shopify as a commerce source: orders, customers, fulfillments, refunds and privacy requests, by webhook. */
export const shopify: Module = { name: 'shopify', providers: [shopifyProvider], events: shopifyEvents }
