import { Type } from 'typebox'
import { NullableTimestamp, PageQueryWith, Timestamp, Uuid } from '../http/schemas.js'

const Status = Type.Union([
  Type.Literal('pending'),
  Type.Literal('shipped'),
  Type.Literal('in_transit'),
  Type.Literal('delivered'),
  Type.Literal('exception'),
  Type.Literal('returned'),
  Type.Literal('cancelled'),
])
const Day = Type.String({ format: 'date' })
const NullableString = Type.Union([Type.String(), Type.Null()])
export const ShipmentView = Type.Object({
  id: Uuid,
  order_id: Uuid,
  source: Type.String(),
  external_id: Type.String(),
  carrier: Type.Object({
    code: NullableString,
    name: NullableString,
    known: Type.Boolean({ description: 'false: the name matched no known carrier and is kept as sent' }),
  }),
  service: NullableString,
  tracking_number: NullableString,
  tracking_url: NullableString,
  fulfilment_centre: NullableString,
  status: Type.String(),
  shipped_at: NullableTimestamp,
  declared_value: Type.Union([Type.Object({ amount_minor: Type.Integer(), currency: Type.String() }), Type.Null()]),
  destination_country: NullableString,
  promised_delivery_on: Type.Union([Day, Type.Null()]),
  estimated_delivery_on: Type.Union([Day, Type.Null()]),
  delivered_at: NullableTimestamp,
  lines: Type.Array(Type.Object({ order_line_id: Uuid, quantity: Type.Integer() })),
  created_at: Timestamp,
  updated_at: Timestamp,
  tracking: Type.Object(
    {
      status: NullableString,
      sub_status: NullableString,
      status_at: NullableTimestamp,
      last_event_at: NullableTimestamp,
    },
    { description: 'What the carriers report (canonical status)' },
  ),
})
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max })
const Maybe = (t: ReturnType<typeof Type.String>) => Type.Optional(Type.Union([t, Type.Null()]))
export const ShipmentParams = Type.Object({ id: Uuid })
export const CarrierList = Type.Object({
  data: Type.Array(Type.Object({ code: Type.String(), name: Type.String(), aliases: Type.Array(Type.String()) })),
})
export const ShipmentListQuery = PageQueryWith({
  order_id: Type.Optional(Uuid),
  tracking_number: Type.Optional(Text(100)),
  carrier_code: Type.Optional(Text(40)),
  tracking_status: Type.Optional(
    Type.String({ pattern: '^[a-z_]{1,40}$', description: 'A canonical tracking status, e.g. customs_hold' }),
  ),
})
export const ShipmentBody = Type.Object(
  {
    source: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_-]{0,39}$' })),
    external_id: Text(200),
    order_id: Uuid,
    carrier: Maybe(Text(100)),
    service: Maybe(Text(100)),
    tracking_number: Maybe(Text(100)),
    tracking_url: Maybe(Type.String({ format: 'uri', maxLength: 2000 })),
    fulfilment_centre: Maybe(Text(100)),
    status: Type.Optional(Status),
    shipped_at: Maybe(Type.String({ format: 'date-time' })),
    declared_value: Type.Optional(
      Type.Object(
        {
          amount_minor: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
          currency: Type.String({ pattern: '^[A-Z]{3}$' }),
        },
        { additionalProperties: false },
      ),
    ),
    destination_country: Maybe(Type.String({ pattern: '^[A-Za-z]{2}$' })),
    promised_delivery_on: Maybe(Day),
    estimated_delivery_on: Maybe(Day),
    lines: Type.Optional(
      Type.Array(
        Type.Object(
          { order_line_id: Uuid, quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }) },
          { additionalProperties: false },
        ),
        { maxItems: 1000 },
      ),
    ),
    updated_at: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
)
