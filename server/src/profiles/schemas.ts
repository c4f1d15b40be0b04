import { Type } from 'typebox'
import { CustomerView } from '../customers/schemas.js'
import { Timestamp, Uuid } from '../http/schemas.js'
import { OrderView } from '../orders/schemas.js'
import { ShipmentView } from '../shipments/schemas.js'

const Amount = Type.Object({ currency: Type.String(), amount_minor: Type.Integer() })

export const ProfileParams = Type.Object({ id: Uuid })

export const ProfileView = Type.Object({
  customer: CustomerView,
  orders: Type.Array(OrderView),
  shipments: Type.Array(ShipmentView),
  totals: Type.Object({ orders: Type.Integer(), spent: Type.Array(Amount), refunded: Type.Array(Amount) }),
  timeline: Type.Array(
    Type.Object({ at: Timestamp, kind: Type.String(), order_id: Uuid, ref_id: Uuid, summary: Type.String() }),
  ),
})
