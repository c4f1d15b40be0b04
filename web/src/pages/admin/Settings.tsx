import { MultiSelect, Select, SimpleGrid, Stack, TextInput } from '@mantine/core'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { api, ok, type Body, type Reply } from '../../api/client'
import { useCan } from '../../app/session'
import { dateTime } from '../../components/format'
import { errorAt, fieldErrorsOf } from '../../components/field-errors'
import { bindForm } from '../../components/form'
import { Loaded } from '../../components/lists'
import { useCurrencies } from '../../components/money'
import { SectionHeader } from '../../components/SectionHeader'
import { ExchangeRates } from './ExchangeRates'
import { SaveBar } from './shared'

type Merchant = Reply<'/api/v1/merchant', 'get'>
type MerchantPatch = Body<'/api/v1/merchant', 'patch'>

/** Workspace settings, then its manual exchange rates. */
export function Settings() {
  const merchant = useQuery({ queryKey: ['merchant'], queryFn: () => ok(api.GET('/api/v1/merchant')) })
  return (
    <Loaded query={merchant} skeleton={[40, 240]}>
      {(m) => (
        <Stack gap="xl">
          <MerchantForm merchant={m} />
          <ExchangeRates currencies={m.currencies.map((c) => c.code)} />
        </Stack>
      )}
    </Loaded>
  )
}

const formOf = (m: Merchant) => ({
  name: m.name,
  brand_name: m.brand_name,
  time_zone: m.time_zone,
  default_currency: m.default_currency,
  currencies: m.currencies.map((c) => c.code),
})

function MerchantForm({ merchant }: { merchant: Merchant }) {
  const can = useCan()
  const qc = useQueryClient()
  const all = useCurrencies()
  const [form, setForm] = useState(() => formOf(merchant))
  const save = useMutation({
    meta: { fieldErrors: true },
    mutationFn: (body: MerchantPatch) => ok(api.PATCH('/api/v1/merchant', { body })),
    onSuccess: (m) => {
      qc.setQueryData(['merchant'], m)
      setForm(formOf(m))
    },
  })
  const fields = fieldErrorsOf(save.error)
  const field = bindForm(form, setForm, fields)
  const editable = can('merchant.manage')
  const before = formOf(merchant)
  // Only what changed is sent, so the audit trail records the change and nothing else.
  const patch: MerchantPatch = {
    ...(form.name.trim() !== before.name ? { name: form.name.trim() } : {}),
    ...(form.brand_name.trim() !== before.brand_name ? { brand_name: form.brand_name.trim() } : {}),
    ...(form.time_zone !== before.time_zone ? { time_zone: form.time_zone } : {}),
    ...(form.default_currency !== before.default_currency ? { default_currency: form.default_currency } : {}),
    ...(form.currencies.join() !== before.currencies.join() ? { currencies: form.currencies } : {}),
  }
  const zones = [...new Set([...Intl.supportedValuesOf('timeZone'), 'UTC', merchant.time_zone])]
  const codes = [...new Set([...(all.data ?? []).map((c) => c.code), ...form.currencies])].sort()
  return (
    <Stack
      gap="md"
      component="form"
      aria-label="Workspace settings"
      onSubmit={(e: FormEvent) => {
        e.preventDefault()
        save.mutate(patch)
      }}
    >
      <SectionHeader
        title="Workspace"
        description={`Workspace “${merchant.slug}”, last changed ${dateTime(merchant.updated_at)}`}
      />
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <TextInput
          label="Name"
          description="As your team sees it"
          required
          readOnly={!editable}
          {...field.text('name')}
        />
        <TextInput
          label="Brand name"
          description="As customers see it, on the status page and in messages"
          required
          readOnly={!editable}
          {...field.text('brand_name')}
        />
        <Select
          label="Time zone"
          description="Business hours, due dates and reports follow it"
          searchable
          allowDeselect={false}
          readOnly={!editable}
          data={zones}
          value={form.time_zone}
          onChange={(v) => v && setForm({ ...form, time_zone: v })}
          error={fields.time_zone}
        />
        <Select
          label="Default currency"
          description="Totals and reports are shown in it"
          searchable
          allowDeselect={false}
          readOnly={!editable}
          data={form.currencies}
          value={form.default_currency}
          onChange={(v) => v && setForm({ ...form, default_currency: v })}
          error={fields.default_currency}
        />
      </SimpleGrid>
      <MultiSelect
        label="Currencies"
        description="The currencies this workspace works in; the default is always one of them"
        searchable
        readOnly={!editable}
        data={codes}
        value={form.currencies}
        error={errorAt(fields, 'currencies')}
        onChange={(currencies) =>
          setForm({
            ...form,
            currencies,
            default_currency:
              currencies.includes(form.default_currency) || !currencies[0] ? form.default_currency : currencies[0],
          })
        }
      />
      <SaveBar
        saved={save.isSuccess && 'Workspace settings saved.'}
        dismiss={save.reset}
        editable={editable}
        pending={save.isPending}
        unchanged={!Object.keys(patch).length}
        discard={() => {
          setForm(before)
          save.reset()
        }}
      >
        Save settings
      </SaveBar>
    </Stack>
  )
}
