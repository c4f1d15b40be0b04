/** How each message status reads on the case, its colour, and whether the agent can send it again. */
export const delivery: Record<string, { label: string; color: string; retry?: boolean }> = {
  queued: { label: 'Queued', color: 'gray.8' },
  sending: { label: 'Sending', color: 'gray.8' },
  sent: { label: 'Sent', color: 'teal.9' },
  delivered: { label: 'Delivered', color: 'teal.9' },
  read: { label: 'Read', color: 'teal.9' },
  received: { label: 'Received', color: 'blue.9' },
  bounced: { label: 'Bounced', color: 'red.9' },
  failed: { label: 'Failed', color: 'red.9', retry: true },
  held: { label: 'Held', color: 'orange.9', retry: true },
  not_sent: { label: 'Not sent', color: 'gray.8', retry: true },
}

export const deliveryOf = (status: string) => delivery[status] ?? { label: status, color: 'gray.8' }

/** The three kinds of writing on a case, each with its own colour, label and button: never mistaken for another. */
export const kinds = {
  reply: {
    label: 'Reply to customer',
    color: 'blue',
    button: 'Send to customer',
    hint: 'The customer receives this by email, SMS or WhatsApp and sees it on their status page.',
  },
  side: {
    label: 'Side conversation',
    color: 'grape',
    button: 'Send side email',
    hint: 'An email to someone else (a carrier, a supplier, a colleague): the customer never sees it.',
  },
  note: {
    label: 'Internal note',
    color: 'yellow',
    button: 'Add note',
    hint: 'Only your workspace sees notes; nothing is sent.',
  },
} as const
export type Kind = keyof typeof kinds
