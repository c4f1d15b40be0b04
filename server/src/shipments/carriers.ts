// Known carriers, and the documented table that maps the free-text names sources send (Shopify's
// `tracking_company`, spreadsheet columns, 3PL exports) to them. A name not in this table is kept
// as it came, with no carrier code, and flagged, so nothing is guessed.

export type Carrier = { code: string; name: string; aliases: string[] }

export const carriers: Carrier[] = [
  { code: 'ups', name: 'UPS', aliases: ['ups', 'united parcel service', 'ups ground', 'ups mail innovations'] },
  { code: 'fedex', name: 'FedEx', aliases: ['fedex', 'fed ex', 'federal express', 'fedex ground', 'fedex uk'] },
  { code: 'usps', name: 'USPS', aliases: ['usps', 'united states postal service', 'us postal service'] },
  { code: 'dhl_express', name: 'DHL Express', aliases: ['dhl express', 'dhl', 'dhl express uk'] },
  {
    code: 'dhl_ecommerce',
    name: 'DHL eCommerce',
    aliases: ['dhl ecommerce', 'dhl e-commerce', 'dhl ecommerce asia', 'dhl global mail', 'dhl parcel'],
  },
  {
    code: 'royal_mail',
    name: 'Royal Mail',
    aliases: ['royal mail', 'royalmail', 'royal mail tracked 24', 'royal mail tracked 48'],
  },
  {
    code: 'parcelforce',
    name: 'Parcelforce Worldwide',
    aliases: ['parcelforce', 'parcel force', 'parcelforce worldwide'],
  },
  { code: 'evri', name: 'Evri', aliases: ['evri', 'hermes', 'hermes uk', 'myhermes'] },
  {
    code: 'dpd',
    name: 'DPD',
    aliases: ['dpd', 'dpd uk', 'dpd local', 'dpd germany', 'dpd de', 'dpd france', 'dpd ireland'],
  },
  { code: 'yodel', name: 'Yodel', aliases: ['yodel'] },
  { code: 'gls', name: 'GLS', aliases: ['gls', 'general logistics systems', 'gls us', 'gls europe'] },
  {
    code: 'postnl',
    name: 'PostNL',
    aliases: ['postnl', 'postnl domestic', 'postnl international', 'postnl international 3s'],
  },
  { code: 'colissimo', name: 'Colissimo', aliases: ['colissimo', 'la poste colissimo', 'la poste'] },
  { code: 'chronopost', name: 'Chronopost', aliases: ['chronopost'] },
  {
    code: 'deutsche_post',
    name: 'Deutsche Post',
    aliases: ['deutsche post', 'deutsche post dhl', 'dhl paket', 'dhl de'],
  },
  { code: 'correos', name: 'Correos', aliases: ['correos', 'correos de espana', 'correos españa', 'correos express'] },
  { code: 'poste_italiane', name: 'Poste Italiane', aliases: ['poste italiane'] },
  { code: 'bpost', name: 'bpost', aliases: ['bpost', 'bpost international'] },
  { code: 'an_post', name: 'An Post', aliases: ['an post'] },
  { code: 'canada_post', name: 'Canada Post', aliases: ['canada post', 'postes canada'] },
  { code: 'purolator', name: 'Purolator', aliases: ['purolator'] },
  { code: 'australia_post', name: 'Australia Post', aliases: ['australia post', 'auspost', 'startrack'] },
  { code: 'nz_post', name: 'NZ Post', aliases: ['new zealand post', 'nz post', 'courierpost'] },
  { code: 'japan_post', name: 'Japan Post', aliases: ['japan post', 'japan post (en)', 'japan post (ja)'] },
  { code: 'sf_express', name: 'SF Express', aliases: ['sf express', 'sfexpress', 'sf international'] },
  { code: 'china_post', name: 'China Post', aliases: ['china post', 'china ems', 'ems china', 'china ems (epacket)'] },
  { code: 'yanwen', name: 'Yanwen', aliases: ['yanwen'] },
  { code: '4px', name: '4PX', aliases: ['4px'] },
  { code: 'ontrac', name: 'OnTrac', aliases: ['ontrac'] },
  {
    code: 'amazon_logistics',
    name: 'Amazon Logistics',
    aliases: ['amazon logistics us', 'amazon logistics uk', 'amazon logistics', 'amazon shipping'],
  },
  { code: 'inpost', name: 'InPost', aliases: ['inpost'] },
  {
    code: 'postnord',
    name: 'PostNord',
    aliases: ['postnord', 'postnord denmark', 'postnord norway', 'postnord sweden'],
  },
  { code: 'swiss_post', name: 'Swiss Post', aliases: ['swiss post', 'post ch', 'die post'] },
  {
    code: 'austrian_post',
    name: 'Austrian Post',
    aliases: ['austrian post', 'österreichische post', 'austrian post (registered)'],
  },
  { code: 'dhl_freight', name: 'DHL Freight', aliases: ['dhl freight'] },
  { code: 'tnt', name: 'TNT', aliases: ['tnt', 'tnt uk', 'tnt italy', 'tnt france', 'tnt reference', 'tnt post'] },
]

const byCode = new Map(carriers.map((c) => [c.code, c]))
const byAlias = new Map(carriers.flatMap((c) => [c.code, ...c.aliases].map((a) => [normalise(a), c.code] as const)))

function normalise(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
}

export type ResolvedCarrier = { code: string | null; name: string | null; known: boolean }

/** A carrier code from a code or a free-text name; unknown names are kept, with no code. */
export function resolveCarrier(nameOrCode: string | null | undefined): ResolvedCarrier {
  const raw = nameOrCode?.trim()
  if (!raw) return { code: null, name: null, known: false }
  const code = byCode.has(raw) ? raw : byAlias.get(normalise(raw))
  return code ? { code, name: raw, known: true } : { code: null, name: raw, known: false }
}

export const carrierName = (code: string): string | undefined => byCode.get(code)?.name
