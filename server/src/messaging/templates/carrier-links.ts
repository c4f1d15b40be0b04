// Carriers' public tracking pages, by the carrier codes of shipments/carriers.ts: the link a template's
// `shipment.tracking_url` falls back on when the shipment's source gave none, and the hosts link QA allows for
// carriers. The carriers module keeps no tracking URLs, so they live here, beside their one use.

type TrackingPage = { hosts: string[]; url?: (trackingNumber: string) => string }

const page = (hosts: string[], prefix?: string): TrackingPage => ({
  hosts,
  ...(prefix ? { url: (n: string) => `${prefix}${encodeURIComponent(n)}` } : {}),
})

const trackingPages: Record<string, TrackingPage> = {
  ups: page(['ups.com'], 'https://www.ups.com/track?tracknum='),
  fedex: page(['fedex.com'], 'https://www.fedex.com/fedextrack/?trknbr='),
  usps: page(['usps.com'], 'https://tools.usps.com/go/TrackConfirmAction?tLabels='),
  dhl_express: page(['dhl.com'], 'https://www.dhl.com/global-en/home/tracking.html?tracking-id='),
  dhl_ecommerce: page(['dhl.com'], 'https://www.dhl.com/global-en/home/tracking.html?tracking-id='),
  dhl_freight: page(['dhl.com'], 'https://www.dhl.com/global-en/home/tracking.html?tracking-id='),
  deutsche_post: page(
    ['deutschepost.de', 'dhl.de'],
    'https://www.dhl.de/en/privatkunden/pakete-empfangen/verfolgen.html?piececode=',
  ),
  royal_mail: page(['royalmail.com'], 'https://www.royalmail.com/track-your-item#/tracking-results/'),
  parcelforce: page(['parcelforce.com'], 'https://www.parcelforce.com/track-trace?trackNumber='),
  evri: page(['evri.com'], 'https://www.evri.com/track/parcel/'),
  dpd: page(['dpd.com', 'dpd.co.uk', 'dpd.de', 'dpd.fr', 'dpd.ie'], 'https://tracking.dpd.de/status/en_US/parcel/'),
  yodel: page(['yodel.co.uk'], 'https://www.yodel.co.uk/tracking/'),
  gls: page(['gls-group.com', 'gls-group.eu', 'gls-us.com']),
  postnl: page(['postnl.nl', 'postnl.post']),
  colissimo: page(['laposte.fr', 'colissimo.fr'], 'https://www.laposte.fr/outils/suivre-vos-envois?code='),
  chronopost: page(['chronopost.fr']),
  correos: page(['correos.es']),
  poste_italiane: page(['poste.it']),
  bpost: page(['bpost.be', 'bpost.cloud']),
  an_post: page(['anpost.com', 'anpost.ie']),
  canada_post: page(['canadapost-postescanada.ca', 'canadapost.ca']),
  purolator: page(['purolator.com'], 'https://www.purolator.com/en/shipping/tracker?pin='),
  australia_post: page(['auspost.com.au', 'startrack.com.au'], 'https://auspost.com.au/mypost/track/details/'),
  nz_post: page(['nzpost.co.nz'], 'https://www.nzpost.co.nz/tools/tracking/item/'),
  japan_post: page(['japanpost.jp']),
  sf_express: page(['sf-express.com']),
  china_post: page(['chinapost.com.cn', 'ems.com.cn']),
  yanwen: page(['yw56.com.cn']),
  '4px': page(['4px.com']),
  ontrac: page(['ontrac.com'], 'https://www.ontrac.com/tracking/?number='),
  amazon_logistics: page(['amazon.com', 'amazon.co.uk']),
  inpost: page(['inpost.pl', 'inpost.co.uk', 'inpost.eu']),
  postnord: page(['postnord.com', 'postnord.se', 'postnord.dk', 'postnord.no']),
  swiss_post: page(['post.ch'], 'https://service.post.ch/ekp-web/ui/entry/search/'),
  austrian_post: page(['post.at'], 'https://www.post.at/s/sendungsdetails?snr='),
  tnt: page(['tnt.com'], 'https://www.tnt.com/express/en_gc/site/shipping-tools/tracking.html?searchType=con&cons='),
}

export const carrierTrackingHosts = (): string[] => [...new Set(Object.values(trackingPages).flatMap((p) => p.hosts))]

/** The carrier's public tracking page for a parcel, where the carrier has one that takes the number in the link. */
export function carrierTrackingUrl(carrierCode: string | null, trackingNumber: string | null): string | null {
  if (!carrierCode || !trackingNumber) return null
  return trackingPages[carrierCode]?.url?.(trackingNumber) ?? null
}
