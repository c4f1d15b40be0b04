import { ActionIcon, Button, Checkbox, Group, Select, Stack, Table, TagsInput, Text, TextInput } from '@mantine/core'
import { IconTrash } from '@tabler/icons-react'
import { fieldTypeLabels, keyFrom, newFieldRow, type FieldRow, type FieldType } from './fields'

const types = Object.entries(fieldTypeLabels).map(([value, label]) => ({ value: value as FieldType, label }))

/** The typed custom fields of a case type: errors come keyed `custom_fields.<i>.<field>`. */
export function CustomFieldsEditor({
  rows,
  onChange,
  errors,
}: {
  rows: FieldRow[]
  onChange: (rows: FieldRow[]) => void
  errors: Record<string, string>
}) {
  const set = (i: number, patch: Partial<FieldRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)))
  return (
    <Stack gap="xs">
      <Text size="sm" fw={500}>
        Custom fields
      </Text>
      {rows.length === 0 && (
        <Text size="sm" c="dimmed">
          No custom fields. Cases of this type have only the standard fields.
        </Text>
      )}
      {rows.length > 0 && (
        <Table aria-label="Custom fields" verticalSpacing={4} withRowBorders={false}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Label</Table.Th>
              <Table.Th>Key</Table.Th>
              <Table.Th>Type</Table.Th>
              <Table.Th>Options</Table.Th>
              <Table.Th>Required</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r, i) => {
              const n = i + 1
              const err = (f: string) => errors[`custom_fields.${i}.${f}`]
              return (
                <Table.Tr key={i}>
                  <Table.Td>
                    <TextInput
                      size="xs"
                      aria-label={`Label of field ${n}`}
                      value={r.label}
                      onChange={(e) => set(i, { label: e.currentTarget.value })}
                      error={err('label')}
                    />
                  </Table.Td>
                  <Table.Td>
                    {/* A saved key stays: cases hold their values under it. */}
                    <TextInput
                      size="xs"
                      ff="monospace"
                      aria-label={`Key of field ${n}`}
                      value={r.key}
                      readOnly={r.saved}
                      placeholder={keyFrom(r.label) || 'key'}
                      onChange={(e) => set(i, { key: e.currentTarget.value })}
                      error={err('key')}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Select
                      size="xs"
                      w={170}
                      aria-label={`Type of field ${n}`}
                      allowDeselect={false}
                      data={types}
                      value={r.type}
                      onChange={(t) => t && set(i, { type: t })}
                      error={err('type')}
                    />
                  </Table.Td>
                  <Table.Td>
                    {r.type === 'enum' ? (
                      <TagsInput
                        size="xs"
                        aria-label={`Options of field ${n}`}
                        placeholder="Type, then Enter"
                        value={r.options}
                        onChange={(options) => set(i, { options })}
                        error={err('options')}
                      />
                    ) : (
                      <Text size="xs" c="dimmed">
                        —
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Checkbox
                      aria-label={`Field ${n} is required`}
                      checked={r.required}
                      onChange={(e) => set(i, { required: e.currentTarget.checked })}
                    />
                  </Table.Td>
                  <Table.Td>
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      aria-label={`Remove field ${n}`}
                      onClick={() => onChange(rows.filter((_, j) => j !== i))}
                    >
                      <IconTrash size={16} />
                    </ActionIcon>
                  </Table.Td>
                </Table.Tr>
              )
            })}
          </Table.Tbody>
        </Table>
      )}
      <Group>
        <Button size="xs" variant="default" onClick={() => onChange([...rows, newFieldRow()])}>
          Add field
        </Button>
      </Group>
    </Stack>
  )
}
