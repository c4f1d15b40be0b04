// The parts of Shopify's webhook bodies (API 2026-07, see fixtures/) that Claimdesk reads.
// Ids are strings after parseShopifyJson when they are long, numbers otherwise: read them with idOf.
// Money is a decimal string in the shop's currency (`currency`), read with decimalToMinor.

type Id = string | number
type Amount = string | number
type MoneySet = { shop_money?: { amount?: Amount | null } | null } | null

export type ShopifyCustomer = {
  id?: Id | null
  email?: string | null
  phone?: string | null
  first_name?: string | null
  last_name?: string | null
  updated_at?: string | null
  email_marketing_consent?: { state?: string | null } | null
  sms_marketing_consent?: { state?: string | null } | null
}

export type ShopifyTransaction = {
  id?: Id | null
  parent_id?: Id | null
  kind?: string | null
  status?: string | null
  amount?: Amount | null
  currency?: string | null
}

export type ShopifyLineItem = {
  id?: Id | null
  sku?: string | null
  name?: string | null
  title?: string | null
  quantity?: number | null
  price?: Amount | null
  tax_lines?: { price?: Amount | null }[] | null
}

export type ShopifyOrder = {
  id?: Id | null
  name?: string | null
  email?: string | null
  currency?: string | null
  customer_locale?: string | null
  created_at?: string | null
  processed_at?: string | null
  updated_at?: string | null
  cancelled_at?: string | null
  closed_at?: string | null
  financial_status?: string | null
  subtotal_price?: Amount | null
  total_discounts?: Amount | null
  total_tax?: Amount | null
  total_price?: Amount | null
  total_outstanding?: Amount | null
  total_shipping_price_set?: MoneySet
  shipping_address?: { country_code?: string | null } | null
  customer?: ShopifyCustomer | null
  line_items?: ShopifyLineItem[] | null
  transactions?: ShopifyTransaction[] | null
}

export type ShopifyFulfillment = {
  id?: Id | null
  order_id?: Id | null
  status?: string | null
  shipment_status?: string | null
  service?: string | null
  created_at?: string | null
  updated_at?: string | null
  tracking_company?: string | null
  tracking_number?: string | null
  tracking_numbers?: string[] | null
  tracking_url?: string | null
  tracking_urls?: string[] | null
  destination?: { country_code?: string | null } | null
  line_items?: { id?: Id | null; quantity?: number | null }[] | null
}

export type ShopifyRefund = { id?: Id | null; order_id?: Id | null; transactions?: ShopifyTransaction[] | null }

/** customers/redact and customers/data_request (Shopify's mandatory compliance topics). */
export type ShopifyCustomerPrivacy = {
  shop_id?: Id | null
  customer?: { id?: Id | null; email?: string | null; phone?: string | null } | null
  orders_to_redact?: Id[] | null
  orders_requested?: Id[] | null
  data_request?: { id?: Id | null } | null
}

export type ShopifyShopRedact = { shop_id?: Id | null; shop_domain?: string | null }
