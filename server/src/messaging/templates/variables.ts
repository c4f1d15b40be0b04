// The variables a template may use: the editor lists them, preview fills them with the example values, and a
// case fills them with its own. A name missing from a case's data is null (prints nothing), never undefined, so
// strict rendering flags only names that do not exist.

export type TemplateVariable = { name: string; description: string; example: unknown }

export const templateVariables: TemplateVariable[] = [
  { name: 'customer.name', description: "The customer's full name", example: 'Alex Morgan' },
  {
    name: 'customer.first_name',
    description: "The customer's first name (the first word of the name)",
    example: 'Alex',
  },
  { name: 'customer.email', description: "The customer's email address", example: 'alex@example.com' },
  {
    name: 'order.number',
    description: 'The order number the customer knows (as the shop shows it)',
    example: '#12345',
  },
  { name: 'order.placed_on', description: 'The day the order was placed, written out', example: '2 December 2026' },
  { name: 'order.total', description: "The order's total with its currency", example: '€89.90' },
  {
    name: 'order.lines',
    description: 'The ordered items, to loop over: {% for line in order.lines %}…{% endfor %}',
    example: [
      { name: 'Trail running shoes', sku: 'TRS-42', quantity: 1 },
      { name: 'Merino socks', sku: 'MS-3P', quantity: 2 },
    ],
  },
  { name: 'order.lines[].name', description: "An item's name", example: 'Trail running shoes' },
  { name: 'order.lines[].sku', description: "An item's SKU", example: 'TRS-42' },
  { name: 'order.lines[].quantity', description: 'How many were ordered', example: 1 },
  { name: 'shipment.carrier', description: "The carrier's name", example: 'UPS' },
  { name: 'shipment.tracking_number', description: "The parcel's tracking number", example: '1Z999AA10123456784' },
  {
    name: 'shipment.tracking_url',
    description: "The carrier's tracking page for the parcel",
    example: 'https://www.ups.com/track?tracknum=1Z999AA10123456784',
  },
  {
    name: 'shipment.eta',
    description: 'When the carrier expects to deliver, written out',
    example: 'Friday 11 December',
  },
  { name: 'shipment.status', description: "Where the parcel is, in the customer's words", example: 'Held at customs' },
  { name: 'shipment.shipped_on', description: 'The day the parcel left, written out', example: '3 December 2026' },
  { name: 'shipment.service', description: "The carrier's service it went with", example: 'UPS Standard' },
  {
    name: 'shipment.declared_value',
    description: "The parcel's declared value with its currency",
    example: '€89.90',
  },
  { name: 'case.number', description: 'The case number to quote in replies', example: 'CD-1042' },
  { name: 'case.type', description: 'What the case is about (the case type)', example: 'Lost Parcel' },
  { name: 'case.status', description: "The case's status, in the customer's words", example: 'We are working on it' },
  { name: 'case.subject', description: "The case's subject", example: 'Parcel not arrived' },
  { name: 'case.outcome', description: "How the case was resolved, in the customer's words", example: 'Refunded' },
  {
    name: 'links.portal',
    description: "The customer's status page for this case (a signed link; no account needed)",
    example: 'https://claimdesk.example.com/portal/sample-token',
  },
  {
    name: 'links.survey',
    description: 'The satisfaction survey about this case (a signed link; only in the CSAT survey message)',
    example: 'https://claimdesk.example.com/survey/sample-token',
  },
  {
    name: 'links.evidence',
    description: 'The page where the customer sends the evidence asked for (a signed link; only in evidence requests)',
    example: 'https://claimdesk.example.com/portal/evidence/sample-token',
  },
  {
    name: 'evidence_request.types',
    description: 'What an evidence request asks for, written out (only in evidence requests)',
    example: 'Damage photo, Packaging photo',
  },
  {
    name: 'evidence_request.message',
    description: "The agent's words on why it is needed (only in evidence requests)",
    example: 'Please show the damage and the box it came in.',
  },
  {
    name: 'evidence_request.due',
    description: 'The deadline, written out in the workspace time zone (only in evidence requests)',
    example: 'Friday 11 December, 14:00',
  },
  { name: 'brand.name', description: 'The shop name customers know', example: 'Northwind Outdoor' },
  { name: 'brand.from_name', description: 'The name emails are sent from', example: 'Northwind Support' },
  { name: 'brand.from_address', description: 'The address emails are sent from', example: 'support@northwind.example' },
]

/** The example values, as one object of variables: what a preview without a case renders with. */
export function sampleVariables(publicUrl?: string): Record<string, unknown> {
  const root: Record<string, unknown> = {}
  for (const v of templateVariables) {
    if (v.name.includes('[]')) continue
    const path = v.name.split('.')
    let node = root
    for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>
    node[path.at(-1)!] = v.example
  }
  if (publicUrl) {
    const links = root.links as Record<string, unknown>
    links.portal = `${publicUrl.replace(/\/$/, '')}/portal/sample`
    links.survey = `${publicUrl.replace(/\/$/, '')}/survey/sample`
    links.evidence = `${publicUrl.replace(/\/$/, '')}/portal/evidence/sample`
  }
  return root
}
