import { ActionIcon, Autocomplete, Button, Group, NumberInput, Stack, Text } from '@mantine/core'
import { IconTrash } from '@tabler/icons-react'
import { useCarriers } from '../../app/directory'
import type { CarrierRow } from './policy'

/** Per-carrier values overriding a default (watch hours, lost-after days); errors keyed `<path>.<carrier>` and `<path>`. */
export function CarrierOverrides({
  rows,
  onChange,
  label,
  unit,
  path,
  errors,
  integer,
  min,
  editable,
}: {
  rows: CarrierRow[]
  onChange: (rows: CarrierRow[]) => void
  label: string
  unit: string
  path: string
  errors: Record<string, string>
  integer: boolean
  min: number
  editable: boolean
}) {
  const carriers = useCarriers()
  const codes = (carriers.data ?? []).map((c) => c.code)
  const set = (i: number, patch: Partial<CarrierRow>) =>
    onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)))
  return (
    <Stack gap={4}>
      {rows.map((r, i) => (
        <Group key={i} gap="xs" wrap="nowrap" align="flex-start">
          <Autocomplete
            size="xs"
            w={180}
            aria-label={`${label}: carrier ${i + 1}`}
            placeholder="Carrier code"
            data={codes}
            value={r.carrier}
            onChange={(carrier) => set(i, { carrier })}
          />
          <NumberInput
            size="xs"
            w={150}
            aria-label={`${label}: ${unit} for ${r.carrier || `carrier ${i + 1}`}`}
            suffix={` ${unit}`}
            min={min}
            allowDecimal={!integer}
            value={r.value}
            onChange={(value) => set(i, { value })}
            error={errors[`${path}.${r.carrier.trim()}`]}
          />
          {editable && (
            <ActionIcon
              variant="subtle"
              color="red"
              aria-label={`Remove ${label.toLowerCase()} for ${r.carrier || `carrier ${i + 1}`}`}
              onClick={() => onChange(rows.filter((_, j) => j !== i))}
            >
              <IconTrash size={16} />
            </ActionIcon>
          )}
        </Group>
      ))}
      {errors[path] && (
        <Text size="xs" c="red">
          {errors[path]}
        </Text>
      )}
      {!editable && rows.length === 0 && (
        <Text size="xs" c="dimmed">
          None
        </Text>
      )}
      {editable && (
        <Group>
          <Button size="compact-xs" variant="subtle" onClick={() => onChange([...rows, { carrier: '', value: '' }])}>
            Add carrier
          </Button>
        </Group>
      )}
    </Stack>
  )
}
