import { Badge, MultiSelect, Stack, Switch, Table, Text } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { api, ok, type Reply } from '../../api/client'
import { useCan } from '../../app/session'
import { Loaded } from '../../components/lists'
import { SectionHeader } from '../../components/SectionHeader'
import { useSettingsForm } from '../../components/settings-form'
import { SaveBar } from './shared'

type Settings = Reply<'/api/v1/evidence/settings', 'get'>
type Requirements = Reply<'/api/v1/evidence/requirements', 'get'>
type EvidenceType = Reply<'/api/v1/evidence/types', 'get'>['data'][number]

// The later actions that will ask for evidence (claims, refunds): what each needs before it goes ahead.
const actions = [
  { key: 'carrier_claim', label: 'Filing a carrier claim' },
  { key: 'refund_approval', label: 'Approving a refund' },
]

/** Evidence types, what later actions require, and whether photos keep their EXIF (GPS location included). */
export function EvidenceSettings() {
  const types = useQuery({ queryKey: ['evidence-types'], queryFn: () => ok(api.GET('/api/v1/evidence/types')) })
  const settings = useQuery({
    queryKey: ['evidence-settings'],
    queryFn: () => ok(api.GET('/api/v1/evidence/settings')),
  })
  const requirements = useQuery({
    queryKey: ['evidence-requirements'],
    queryFn: () => ok(api.GET('/api/v1/evidence/requirements')),
  })
  return (
    <Stack gap="md">
      <SectionHeader
        title="Evidence"
        description="Case types list what each case needs; here, what later actions need, and how photos are kept"
      />
      <Loaded query={settings} skeleton={[60]}>
        {(s) => <PhotoSettings settings={s} />}
      </Loaded>
      <Loaded query={requirements} skeleton={[120]}>
        {(r) => <RequirementsForm requirements={r} types={types.data?.data ?? []} />}
      </Loaded>
      <SectionHeader title="Evidence types" order={3} size="h5" />
      <Loaded query={types} skeleton={[200]}>
        {(t) => (
          <Table aria-label="Evidence types" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Type</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>Largest file</Table.Th>
                <Table.Th>Who sees it</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {t.data.map((type) => (
                <Table.Tr key={type.key}>
                  <Table.Td>{type.label}</Table.Td>
                  <Table.Td>{type.kind === 'photo' ? 'Photo' : 'Document'}</Table.Td>
                  <Table.Td>{Math.round(type.max_bytes / 1024 / 1024)} MB</Table.Td>
                  <Table.Td>
                    {type.sensitive ? (
                      <Badge size="sm" color="grape.9" variant="filled">
                        Sensitive
                      </Badge>
                    ) : (
                      <Text size="sm">Everyone on the case</Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Loaded>
    </Stack>
  )
}

function PhotoSettings({ settings }: { settings: Settings }) {
  const editable = useCan()('cases.configure')
  const { form, setForm, submit, saveBar } = useSettingsForm({
    settings,
    queryKey: ['evidence-settings'],
    save: (body: Settings) => ok(api.PUT('/api/v1/evidence/settings', { body })),
  })
  return (
    <Stack component="form" gap="sm" aria-label="Photo settings" onSubmit={submit}>
      <Switch
        label="Keep photos' EXIF data (camera, time and GPS location)"
        description="Off: photos are re-encoded without it, so a customer's home address never travels with a photo"
        disabled={!editable}
        checked={form.keep_exif}
        onChange={(e) => setForm({ keep_exif: e.currentTarget.checked })}
      />
      <SaveBar {...saveBar('Photo settings saved.')} editable={editable}>
        Save photo settings
      </SaveBar>
    </Stack>
  )
}

function RequirementsForm({ requirements, types }: { requirements: Requirements; types: EvidenceType[] }) {
  const editable = useCan()('cases.configure')
  const { form, setForm, submit, saveBar } = useSettingsForm({
    settings: requirements,
    queryKey: ['evidence-requirements'],
    save: (body: Requirements) => ok(api.PUT('/api/v1/evidence/requirements', { body })),
  })
  const options = types.map((t) => ({ value: t.key, label: t.label }))
  return (
    <Stack component="form" gap="sm" aria-label="Required evidence" onSubmit={submit}>
      {actions.map((a) => (
        <MultiSelect
          key={a.key}
          label={a.label}
          placeholder="Nothing required"
          readOnly={!editable}
          data={options}
          value={form.actions[a.key] ?? []}
          onChange={(keys) => setForm({ actions: { ...form.actions, [a.key]: keys } })}
        />
      ))}
      <SaveBar {...saveBar('Required evidence saved.')} editable={editable}>
        Save required evidence
      </SaveBar>
    </Stack>
  )
}
