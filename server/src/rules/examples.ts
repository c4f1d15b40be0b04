// The three rules of the playbook merchants copy from (issue 25), exactly as they paste them: the demo switches them
// on, and the tests hold the language to them.
export const exampleRules = [
  {
    name: 'High-value undeliverable parcels',
    description:
      'A parcel the carrier cannot deliver, worth over £100: a high-priority lost-parcel case within 24 hours.',
    source:
      "IF carrier_event = 'Undeliverable' AND value > 100 GBP THEN create_case(type='Lost Parcel', priority='High') AND set_SLA(24h) AND notify(agent_group='HighValue').",
  },
  {
    name: 'Damage: acknowledge and ask for photos',
    description: 'Tell the customer we are on it and ask for photos of the damage, due in 48 hours.',
    source:
      "IF case_type='Damaged' THEN send_template('Damage Ack') TO customer AND request_attachment('photo') WITH 48h deadline.",
  },
  {
    name: 'SLA three-quarters gone: tell the team lead',
    description: "At 75% of a case's resolution time, its team lead hears and the case is tagged.",
    source: "IF SLA_elapsed >= 75% THEN auto-notify(team_lead) AND add_tag('escalating').",
  },
] as const
