import { Stack, Tabs, Text, Title } from '@mantine/core'
import type { ComponentType } from 'react'
import { useSearchParams } from 'react-router'
import { useCan } from '../../app/session'
import { ApiKeys } from './ApiKeys'
import { Calendars } from './Calendars'
import { CaseTypes } from './CaseTypes'
import { CsatSettings } from './CsatSettings'
import { PhoneSettings } from './PhoneSettings'
import { EmailSettings } from './EmailSettings'
import { EvidenceSettings } from './EvidenceSettings'
import { ExceptionPolicy } from './ExceptionPolicy'
import { Macros } from './Macros'
import { Retention } from './Retention'
import { Roles } from './Roles'
import { Settings } from './Settings'
import { SlaPolicies } from './SlaPolicies'
import { Teams } from './Teams'
import { Templates } from './Templates'
import { Users } from './Users'

// Each tab needs the permission its list endpoint asks for; API keys have no read permission of their own.
const sections: { value: string; label: string; permission: string; Panel: ComponentType }[] = [
  { value: 'users', label: 'People', permission: 'users.read', Panel: Users },
  { value: 'teams', label: 'Teams', permission: 'teams.read', Panel: Teams },
  { value: 'roles', label: 'Roles', permission: 'roles.read', Panel: Roles },
  { value: 'api-keys', label: 'API keys', permission: 'api_keys.manage', Panel: ApiKeys },
  { value: 'case-types', label: 'Case types', permission: 'cases.read', Panel: CaseTypes },
  { value: 'policy', label: 'Exception policy', permission: 'cases.read', Panel: ExceptionPolicy },
  { value: 'sla', label: 'SLA policies', permission: 'cases.read', Panel: SlaPolicies },
  { value: 'calendars', label: 'Calendars', permission: 'cases.read', Panel: Calendars },
  { value: 'templates', label: 'Templates', permission: 'messages.send', Panel: Templates },
  { value: 'macros', label: 'Macros', permission: 'messages.send', Panel: Macros },
  // The email settings have no read permission of their own: reading them takes merchant.manage.
  { value: 'email', label: 'Email', permission: 'merchant.manage', Panel: EmailSettings },
  { value: 'phone', label: 'SMS and WhatsApp', permission: 'merchant.read', Panel: PhoneSettings },
  { value: 'csat', label: 'CSAT', permission: 'merchant.read', Panel: CsatSettings },
  { value: 'evidence', label: 'Evidence', permission: 'cases.read', Panel: EvidenceSettings },
  { value: 'retention', label: 'Retention', permission: 'retention.manage', Panel: Retention },
  { value: 'workspace', label: 'Workspace', permission: 'merchant.read', Panel: Settings },
]

/** Workspace administration, one tab per area; the open tab lives in `?tab=` so it can be linked. */
export function Admin() {
  const can = useCan()
  const [params, setParams] = useSearchParams()
  const visible = sections.filter((s) => can(s.permission))
  const first = visible[0]
  if (!first) {
    return (
      <Stack gap="md">
        <Title order={1} size="h3">
          Admin
        </Title>
        <Text c="dimmed">
          Your role has no administration rights. Ask an admin if you need to change people, teams or settings.
        </Text>
      </Stack>
    )
  }
  const tab = visible.find((s) => s.value === params.get('tab'))?.value ?? first.value
  return (
    <Stack gap="md">
      <Title order={1} size="h3">
        Admin
      </Title>
      {/* Only the open panel mounts, so only its queries run. */}
      <Tabs value={tab} onChange={(v) => v && setParams({ tab: v })} keepMounted={false}>
        <Tabs.List aria-label="Admin sections">
          {visible.map((s) => (
            <Tabs.Tab key={s.value} value={s.value}>
              {s.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {visible.map((s) => (
          <Tabs.Panel key={s.value} value={s.value} pt="md">
            <s.Panel />
          </Tabs.Panel>
        ))}
      </Tabs>
    </Stack>
  )
}
