import { Button, Code, Group, Select, Stack, Table, TextInput } from '@mantine/core'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { api, ok, type Body } from '../../api/client'
import { useCan } from '../../app/session'
import { dateTime } from '../../components/format'
import { ConfirmButton } from '../../components/ConfirmButton'
import { fieldErrorsOf } from '../../components/field-errors'
import { bindForm } from '../../components/form'
import { ListTable } from '../../components/lists'
import { LoadMore, usePaged } from '../../components/paged'
import { SectionHeader } from '../../components/SectionHeader'

/** Today's calendar date where the browser is, as the API's `YYYY-MM-DD`. */
function today(): string {
  const parts = new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(
    new Date(),
  )
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  return `${part('year')}-${part('month')}-${part('day')}`
}

/** Manual rates used to convert money between currencies; each applies from its date until a later one. */
export function ExchangeRates({ currencies }: { currencies: string[] }) {
  const can = useCan()
  const qc = useQueryClient()
  const { query, rows } = usePaged(['exchange-rates'], (cursor) =>
    ok(api.GET('/api/v1/exchange-rates', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } })),
  )
  const remove = useMutation({
    mutationFn: (id: string) => ok(api.DELETE('/api/v1/exchange-rates/{id}', { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['exchange-rates'] }),
  })
  return (
    <Stack gap="md">
      <SectionHeader
        title="Exchange rates"
        description="Rates you set by hand, e.g. for refund limits in another currency. A rate applies from its date until a later rate for the same pair."
      />
      {can('merchant.manage') && <AddRate currencies={currencies} />}
      <ListTable
        label="Exchange rates"
        columns={['Pair', 'Rate', 'From', 'Set', '']}
        query={query}
        skeleton={160}
        empty="No exchange rates yet."
        rows={rows}
        row={(r) => (
          <Table.Tr key={r.id}>
            <Table.Td>
              {r.base_currency} → {r.quote_currency}
            </Table.Td>
            <Table.Td>
              <Code>
                1 {r.base_currency} = {r.rate} {r.quote_currency}
              </Code>
            </Table.Td>
            <Table.Td>{r.effective_on}</Table.Td>
            <Table.Td>{dateTime(r.created_at)}</Table.Td>
            <Table.Td>
              {can('merchant.manage') && (
                <ConfirmButton
                  label="Delete"
                  ariaLabel={`Delete ${r.base_currency}/${r.quote_currency} rate from ${r.effective_on}`}
                  confirm="Delete rate"
                  question={`Delete the ${r.base_currency}/${r.quote_currency} rate from ${r.effective_on}? Conversions on those dates use the previous rate instead.`}
                  onConfirm={() => remove.mutate(r.id)}
                  pending={remove.isPending && remove.variables === r.id}
                />
              )}
            </Table.Td>
          </Table.Tr>
        )}
      />
      <LoadMore query={query} />
    </Stack>
  )
}

function AddRate({ currencies }: { currencies: string[] }) {
  const qc = useQueryClient()
  const [form, setForm] = useState({ base: null as string | null, quote: null as string | null, rate: '', on: today() })
  const add = useMutation({
    meta: { fieldErrors: true },
    mutationFn: (body: Body<'/api/v1/exchange-rates', 'post'>) => ok(api.POST('/api/v1/exchange-rates', { body })),
    onSuccess: () => {
      setForm((f) => ({ ...f, rate: '' }))
      return qc.invalidateQueries({ queryKey: ['exchange-rates'] })
    },
  })
  const fields = fieldErrorsOf(add.error)
  const field = bindForm(form, setForm, fields)
  const ready = form.base && form.quote && form.rate.trim() && form.on
  return (
    <Group
      component="form"
      align="flex-start"
      gap="xs"
      aria-label="Add an exchange rate"
      onSubmit={(e: FormEvent) => {
        e.preventDefault()
        // The rate stays a decimal string end to end: the API stores it exactly.
        if (form.base && form.quote)
          add.mutate({
            base_currency: form.base,
            quote_currency: form.quote,
            rate: form.rate.trim(),
            effective_on: form.on,
          })
      }}
    >
      <Select label="From" w={110} searchable data={currencies} {...field.value('base', 'base_currency')} />
      <Select label="To" w={110} searchable data={currencies} {...field.value('quote', 'quote_currency')} />
      <TextInput
        label="Rate"
        description={form.base && form.quote ? `${form.quote} per 1 ${form.base}` : 'Units of “To” per 1 “From”'}
        w={200}
        inputMode="decimal"
        placeholder="1.1675"
        {...field.text('rate')}
      />
      <TextInput label="Applies from" type="date" w={170} {...field.text('on', 'effective_on')} />
      <Button type="submit" mt={25} loading={add.isPending} disabled={!ready}>
        Add rate
      </Button>
    </Group>
  )
}
