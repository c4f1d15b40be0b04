import { Type } from 'typebox'
import { Timestamp, Uuid } from '../http/schemas.js'

const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' })
export const MerchantView = Type.Object({
  id: Uuid,
  slug: Type.String(),
  name: Type.String(),
  brand_name: Type.String(),
  time_zone: Type.String(),
  default_currency: Currency,
  currencies: Type.Array(
    Type.Object({
      code: Currency,
      exponent: Type.Integer({ description: 'Minor-unit exponent: JPY 0, EUR 2, KWD 3' }),
    }),
  ),
  created_at: Timestamp,
  updated_at: Timestamp,
})
export const RateView = Type.Object({
  id: Uuid,
  base_currency: Currency,
  quote_currency: Currency,
  rate: Type.String({ description: 'Units of quote per one unit of base, exact decimal' }),
  effective_on: Type.String({ format: 'date' }),
  created_at: Timestamp,
})

export const UpdateMerchantBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    brand_name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    time_zone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    default_currency: Type.Optional(Currency),
    currencies: Type.Optional(Type.Array(Currency, { minItems: 1, maxItems: 50, uniqueItems: true })),
  },
  { additionalProperties: false, minProperties: 1 },
)

export const CurrencyList = Type.Object({
  data: Type.Array(Type.Object({ code: Currency, exponent: Type.Integer() })),
})

export const SetRateBody = Type.Object(
  {
    base_currency: Currency,
    quote_currency: Currency,
    rate: Type.String({ pattern: '^\\d{1,18}(\\.\\d{1,12})?$', description: 'Decimal string, e.g. "1.1675"' }),
    effective_on: Type.String({ format: 'date' }),
  },
  { additionalProperties: false },
)

export const RateParams = Type.Object({ id: Uuid })
