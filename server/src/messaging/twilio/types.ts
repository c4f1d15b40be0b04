// Twilio's Messages API as Claimdesk uses it for SMS and WhatsApp.

export const phoneChannels = ['sms', 'whatsapp'] as const
export type PhoneChannel = (typeof phoneChannels)[number]

/** Twilio's address of a phone number on a channel: WhatsApp numbers carry a `whatsapp:` prefix. */
export const twilioAddress = (channel: PhoneChannel, e164: string) =>
  channel === 'whatsapp' ? `whatsapp:${e164}` : e164

/** The channel and E.164 number of a Twilio address. */
export function parseTwilioAddress(address: string): { channel: PhoneChannel; phone: string } {
  return address.startsWith('whatsapp:')
    ? { channel: 'whatsapp', phone: address.slice('whatsapp:'.length) }
    : { channel: 'sms', phone: address }
}
