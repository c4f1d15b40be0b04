// What every new workspace starts with, in English, live and approved by the system; merchants edit them like any
// other template. Written once as paragraphs: `[label](variable)` becomes "label: <url>" in the text part and a
// link in the HTML part.

export type DefaultTemplate = { purpose: string; name: string; subject: string; paragraphs: string[] }

const hello = '{% if customer.first_name %}Hi {{ customer.first_name }},{% else %}Hello,{% endif %}'
const signOff = 'Thanks,\n{{ brand.from_name }}'
const yourOrder = '{% if order.number %}your order {{ order.number }}{% else %}your order{% endif %}'

export const defaultTemplates: DefaultTemplate[] = [
  {
    purpose: 'acknowledgement',
    name: 'Acknowledgement',
    subject: "We've got your request ({{ case.number }})",
    paragraphs: [
      hello,
      "Thanks for getting in touch. We've got your request and it's now case {{ case.number }}. " +
        'Someone from our team will get back to you within 24–48 hours, usually sooner.',
      'If you have anything to add, like photos or your order number, just reply to this email: it goes straight to your case.',
      '[Follow your case](links.portal)',
      signOff,
    ],
  },
  {
    purpose: 'update',
    name: 'Update',
    subject: 'An update on your case {{ case.number }}',
    paragraphs: [
      hello,
      'A quick update on case {{ case.number }}: {{ case.status | downcase }}.',
      "We haven't forgotten you. We'll be back in touch within 24 hours with the next step.",
      'If anything has changed on your side, just reply to this email.',
      '[See the latest on your case](links.portal)',
      signOff,
    ],
  },
  {
    purpose: 'resolution',
    name: 'Resolution',
    subject: 'Your case {{ case.number }} is resolved',
    paragraphs: [
      hello,
      "Good news: we've resolved case {{ case.number }}.{% if case.outcome %} The outcome: {{ case.outcome }}.{% endif %}",
      'If a refund is part of it, it goes back to your original payment method. Most banks show it within 5–10 ' +
        'working days.',
      "If anything isn't right, reply to this email within 14 days and we'll pick your case up again.",
      '[Your case summary](links.portal)',
      signOff,
    ],
  },
  {
    purpose: 'return_instructions',
    name: 'Customer return instructions',
    subject: 'How to return {{ order.number | default: "your items" }}',
    paragraphs: [
      hello,
      `Here's how to send the items from ${yourOrder} back to us:`,
      '1. Pack them securely, in the original packaging if you still have it.\n' +
        '2. Put a note inside with your case number, {{ case.number }}.\n' +
        '3. Send the parcel with the return label or address we gave you, and keep the proof of postage.',
      '{% if order.lines.size > 0 %}What we expect back:\n{% for line in order.lines %}- {{ line.quantity }} × {{ line.name }}\n{% endfor %}{% endif %}',
      "As soon as the parcel reaches us we'll check it and tell you within 2 working days. Questions? Just reply to this email.",
      signOff,
    ],
  },
  {
    purpose: 'damage_ack',
    name: 'Damage acknowledgement',
    subject: 'Sorry your order arrived damaged ({{ case.number }})',
    paragraphs: [
      hello,
      `We're sorry ${yourOrder} arrived damaged. We've opened case {{ case.number }} and we'll put it right.`,
      'To help us sort it quickly, please reply with photos of the damaged items and of the packaging, shipping label ' +
        "included. We'll come back to you within 24–48 hours with a replacement or a refund.",
      '[Follow your case](links.portal)',
      signOff,
    ],
  },
  {
    purpose: 'customs_hold',
    name: 'Customs hold',
    subject: 'A customs delay on {{ order.number | default: "your order" }}',
    paragraphs: [
      hello,
      `We've seen a delay with ${yourOrder} due to a customs hold. We're on it — expected update within 48 hours. ` +
        'Reply here if you need immediate help.',
      '{% if shipment.tracking_url %}[Track your parcel](shipment.tracking_url){% endif %}',
      signOff,
    ],
  },
  {
    // Sent by the CSAT module after a resolution; links.survey is the survey's own signed link.
    purpose: 'csat_survey',
    name: 'Satisfaction survey',
    subject: 'How did we do? ({{ case.number }})',
    paragraphs: [
      hello,
      'Your case {{ case.number }} is resolved. Could you tell us how we did? It takes one tap.',
      '[Rate our help](links.survey)',
      'Your answer goes to our support team and helps us do better.',
      signOff,
    ],
  },
  {
    // Sent by the evidence-requests module; links.evidence is the request's own signed upload link.
    purpose: 'evidence_request',
    name: 'Evidence request',
    subject: 'We need a few things for your case {{ case.number }}',
    paragraphs: [
      hello,
      'To move case {{ case.number }} forward, we need: {{ evidence_request.types }}.',
      '{{ evidence_request.message }}',
      'Please send them by {{ evidence_request.due }}. Take photos with your phone or choose files; no account needed.',
      '[Send your photos and files](links.evidence)',
      signOff,
    ],
  },
  ...thirdPartyTemplates(),
]

/**
 * For side conversations: what an agent sends a third party about the case (the customer never sees them). Purposes
 * carrier_inquiry and warehouse_check.
 */
function thirdPartyTemplates(): DefaultTemplate[] {
  const ref = 'Our reference: {{ case.number }}{% if order.number %}, order {{ order.number }}{% endif %}.'
  return [
    {
      purpose: 'carrier_inquiry',
      name: 'Carrier claim inquiry',
      subject: 'Parcel inquiry: {{ shipment.tracking_number | default: case.number }}',
      paragraphs: [
        'Hello,',
        'We are investigating a parcel for one of our customers and would be grateful for its status and, where ' +
          'one is open, the state of your investigation.',
        '- Tracking number: {{ shipment.tracking_number | default: "unknown" }}\n' +
          '- Shipped on: {{ shipment.shipped_on | default: "unknown" }}\n' +
          '- Service: {{ shipment.service | default: "unknown" }}\n' +
          '- Declared value: {{ shipment.declared_value | default: "unknown" }}\n' +
          '- Last status we have: {{ shipment.status | default: "unknown" }}',
        'If the parcel is lost or damaged, please tell us how to file a claim and what evidence you need.',
        ref,
        'Kind regards,\n{{ brand.from_name }}',
      ],
    },
    {
      purpose: 'warehouse_check',
      name: 'Warehouse check',
      subject: 'Please check: {{ order.number | default: case.number }}',
      paragraphs: [
        'Hello,',
        'Could you check the following for us, and reply to this email with what you find?',
        '1. Stock: is the item in stock, and was the right item picked?\n' +
          '2. Packing: how was it packed, and did it leave complete{% if shipment.tracking_number %} (tracking ' +
          'number {{ shipment.tracking_number }}){% endif %}?\n' +
          '3. Returns: has a return for this order reached you, and in what condition?',
        '{% if order.lines.size > 0 %}The order:\n{% for line in order.lines %}- {{ line.quantity }} × {{ line.name }}' +
          '{% if line.sku %} ({{ line.sku }}){% endif %}\n{% endfor %}{% endif %}',
        ref,
        'Thanks,\n{{ brand.from_name }}',
      ],
    },
  ]
}

const link = /\[([^\]]+)\]\(([a-z_.]+)\)/g

export const defaultText = (t: DefaultTemplate): string =>
  `${t.paragraphs.map((p) => p.replace(link, '$1: {{ $2 }}')).join('\n\n')}\n`

export const defaultHtml = (t: DefaultTemplate): string =>
  t.paragraphs.map((p) => `<p>${p.replace(link, '<a href="{{ $2 }}">$1</a>').replace(/\n/g, '<br>\n')}</p>`).join('\n')

/**
 * SMS and WhatsApp variants of the defaults: one short paragraph with the portal link, in GSM-7 characters only (an
 * en dash or a curly quote would make every SMS UCS-2, 70 characters a segment). The WhatsApp variant's approved
 * content template (its Content SID, for outside the 24-hour window) is the merchant's to add; its variables
 * default to the case number and the portal link.
 */
export type DefaultPhoneTemplate = { purpose: string; name: string; sms: string; whatsapp: string }

const from = '{{ brand.from_name }}'
const order = 'your order{% if order.number %} {{ order.number }}{% endif %}'
const greet = '{% if customer.first_name %}Hi {{ customer.first_name }}, {% endif %}'

export const defaultPhoneTemplates: DefaultPhoneTemplate[] = [
  {
    purpose: 'acknowledgement',
    name: 'Acknowledgement',
    sms: `${from}: we've got your request (case {{ case.number }}) and will reply within 24-48 hours. Follow it: {{ links.portal }}`,
    whatsapp: `${greet}thanks for getting in touch. Your request is case {{ case.number }} and we'll reply within 24-48 hours. Follow it here: {{ links.portal }}`,
  },
  {
    purpose: 'customs_hold',
    name: 'Customs hold',
    sms: `${from}: ${order} is held at customs. We're on it - update within 48 hours. Reply here if you need help: {{ links.portal }}`,
    whatsapp: `${greet}${order} is held at customs. We're on it and will update you within 48 hours. Reply here if you need help right away: {{ links.portal }}`,
  },
  {
    purpose: 'damage_ack',
    name: 'Damage acknowledgement',
    sms: `${from}: sorry ${order} arrived damaged. Case {{ case.number }} is open; reply with photos of the items and packaging: {{ links.portal }}`,
    whatsapp: `${greet}we're sorry ${order} arrived damaged. Case {{ case.number }} is open: reply here with photos of the items and the packaging and we'll put it right. {{ links.portal }}`,
  },
  {
    purpose: 'update',
    name: 'Update',
    sms: `${from}: an update on case {{ case.number }}: {{ case.status | downcase }}. The latest: {{ links.portal }}`,
    whatsapp: `${greet}an update on case {{ case.number }}: {{ case.status | downcase }}. See the latest here: {{ links.portal }}`,
  },
  {
    purpose: 'resolution',
    name: 'Resolution',
    sms: `${from}: case {{ case.number }} is resolved.{% if case.outcome %} {{ case.outcome }}.{% endif %} Not right? Reply within 14 days: {{ links.portal }}`,
    whatsapp: `${greet}good news: case {{ case.number }} is resolved.{% if case.outcome %} {{ case.outcome }}.{% endif %} If anything isn't right, reply here within 14 days. {{ links.portal }}`,
  },
  {
    // The CSAT module's survey; links.survey is the survey's own signed link.
    purpose: 'csat_survey',
    name: 'Satisfaction survey',
    sms: `${from}: case {{ case.number }} is resolved. How did we do? One tap: {{ links.survey }}`,
    whatsapp: `${greet}case {{ case.number }} is resolved. Could you tell us how we did? It takes one tap: {{ links.survey }}`,
  },
  {
    // The evidence-requests module's request; links.evidence is the request's own upload link.
    purpose: 'evidence_request',
    name: 'Evidence request',
    sms: `${from}: for case {{ case.number }} we need {{ evidence_request.types }} by {{ evidence_request.due }}. Send them here: {{ links.evidence }}`,
    whatsapp: `${greet}for case {{ case.number }} we need {{ evidence_request.types }}. {{ evidence_request.message }} Please send them by {{ evidence_request.due }} here: {{ links.evidence }}`,
  },
]

/** A WhatsApp variant's content variables until the merchant maps their approved template's. */
export const defaultContentVariables = { '1': '{{ case.number }}', '2': '{{ links.portal }}' }
