import type { Config } from '../../../config.js'
import type { Db } from '../../../db/owned.js'
import { listConnections } from '../../../integrations/service.js'
import { carrierTrackingHosts } from '../carrier-links.js'
import * as store from '../store.js'

// Settings keys under which commerce connections may name the shop's address (Shopify: shop or shop_domain).
const shopKeys = ['shop_domain', 'shop', 'domain', 'domains', 'shop_url', 'store_url', 'myshopify_domain']

function hostOf(value: string): string | null {
  const v = value.trim()
  if (!v) return null
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? v : `https://${v}`).hostname.toLowerCase() || null
  } catch {
    return null
  }
}

function shopHosts(settings: Record<string, unknown>): string[] {
  return shopKeys
    .flatMap((k) => {
      const v = settings[k]
      return typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []
    })
    .map(hostOf)
    .filter((h): h is string => h !== null)
}

/**
 * The hosts links in this workspace's messages may point at: PUBLIC_URL's (the portal), the known carriers'
 * tracking pages, the shops of its commerce connections and the domains its email settings allow.
 */
export async function allowedLinkHosts(
  db: Db,
  merchantId: string,
  config: Pick<Config, 'publicUrl'>,
  now: Date = new Date(),
): Promise<string[]> {
  const [settings, shops] = await Promise.all([
    store.findEmailSettings(db, merchantId),
    listConnections(db, merchantId, { source: 'commerce', limit: 1000 }, now),
  ])
  const hosts = [
    hostOf(config.publicUrl),
    ...carrierTrackingHosts(),
    ...shops.filter((c) => c.status === 'active').flatMap((c) => shopHosts(c.settings)),
    ...(settings?.allowed_link_domains ?? []),
  ]
  return [...new Set(hosts.filter((h): h is string => !!h))]
}
