import { Group, NumberInput, SegmentedControl, Stack, Switch, Text } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { api, ok, type Reply } from '../../api/client'
import { useCan } from '../../app/session'
import { Loaded } from '../../components/lists'
import { SectionHeader } from '../../components/SectionHeader'
import { useSettingsForm } from '../../components/settings-form'
import { SaveBar } from './shared'

type Settings = Reply<'/api/v1/csat/settings', 'get'>

const scale = { csat: { min: 1, max: 5, low: 2 }, nps: { min: 0, max: 10, low: 6 } } as const

/** The survey a customer gets after their case is resolved: CSAT or NPS, when it goes out, what counts as low. */
export function CsatSettings() {
  const settings = useQuery({ queryKey: ['csat-settings'], queryFn: () => ok(api.GET('/api/v1/csat/settings')) })
  return (
    <Stack gap="md">
      <SectionHeader
        title="Customer satisfaction"
        description="One question after each resolution (never for duplicates or merged cases), answered from a signed link"
      />
      <Loaded query={settings} skeleton={[200]}>
        {(s) => <SettingsForm settings={s} />}
      </Loaded>
    </Stack>
  )
}

function SettingsForm({ settings }: { settings: Settings }) {
  const can = useCan()
  const editable = can('merchant.manage')
  const { form, setForm, fields, submit, saveBar } = useSettingsForm({
    settings,
    queryKey: ['csat-settings'],
    save: (body: Settings) => ok(api.PUT('/api/v1/csat/settings', { body })),
  })
  const range = scale[form.kind]
  const number = (v: string | number, fallback: number) => (typeof v === 'number' ? v : fallback)
  return (
    <Stack component="form" gap="sm" maw={640} aria-label="Survey settings" onSubmit={submit}>
      <Switch
        label="Ask customers after their case is resolved"
        disabled={!editable}
        checked={form.enabled}
        onChange={(e) => setForm({ ...form, enabled: e.currentTarget.checked })}
      />
      <Stack gap={4}>
        <Text size="sm" fw={500} id="csat-kind">
          Question
        </Text>
        <SegmentedControl
          aria-labelledby="csat-kind"
          disabled={!editable}
          value={form.kind}
          onChange={(v) => {
            const kind = v as Settings['kind']
            setForm({ ...form, kind, low_score_threshold: scale[kind].low })
          }}
          data={[
            { value: 'csat', label: 'CSAT: how satisfied, 1–5' },
            { value: 'nps', label: 'NPS: how likely to recommend, 0–10' },
          ]}
        />
      </Stack>
      <Group grow align="flex-start">
        <NumberInput
          label="Send after (minutes)"
          description="0 sends at once; at most 7 days (10080)"
          readOnly={!editable}
          min={0}
          max={10080}
          value={form.delay_minutes}
          onChange={(v) => setForm({ ...form, delay_minutes: number(v, 0) })}
          error={fields.delay_minutes}
        />
        <NumberInput
          label="Low score: at or under"
          description="Tells the case team's lead"
          readOnly={!editable}
          min={range.min}
          max={range.max - 1}
          value={form.low_score_threshold}
          onChange={(v) => setForm({ ...form, low_score_threshold: number(v, range.low) })}
          error={fields.low_score_threshold}
        />
        <NumberInput
          label="Link works for (days)"
          readOnly={!editable}
          min={1}
          max={90}
          value={form.expiry_days}
          onChange={(v) => setForm({ ...form, expiry_days: number(v, 14) })}
          error={fields.expiry_days}
        />
      </Group>
      <SaveBar {...saveBar('Survey settings saved.')} editable={editable}>
        Save survey settings
      </SaveBar>
    </Stack>
  )
}
