import { ActionIcon, Badge, Button, Code, Group, Paper, Stack, TagsInput, Text, TextInput, Title } from '@mantine/core'
import { useQuery } from '@tanstack/react-query'
import { api, ok, type Reply } from '../../api/client'
import { useCan } from '../../app/session'
import { errorAt } from '../../components/field-errors'
import { Loaded } from '../../components/lists'
import { SectionHeader } from '../../components/SectionHeader'
import { useSettingsForm } from '../../components/settings-form'
import { SaveBar } from './shared'

type Settings = Reply<'/api/v1/email-settings', 'get'>
type Form = Pick<Settings, 'from_name' | 'from_address' | 'default_locale' | 'brands' | 'allowed_link_domains'>

const toForm = (s: Settings): Form => ({
  from_name: s.from_name,
  from_address: s.from_address,
  default_locale: s.default_locale,
  brands: s.brands,
  allowed_link_domains: s.allowed_link_domains,
})

/** Who customer emails come from, where replies go, DKIM, and the domains links in messages may point at. */
export function EmailSettings() {
  const settings = useQuery({ queryKey: ['email-settings'], queryFn: () => ok(api.GET('/api/v1/email-settings')) })
  return (
    <Stack gap="md">
      <SectionHeader
        title="Email"
        description="The sender of customer emails, the reply address, signing and link QA's allowed domains"
      />
      <Loaded query={settings} skeleton={[120, 200]}>
        {(s) => (
          <>
            <MailSetup mail={s.mail} />
            <SettingsForm settings={s} />
          </>
        )}
      </Loaded>
    </Stack>
  )
}

/** What the server's configuration decides: shown, not edited here. */
function MailSetup({ mail }: { mail: Settings['mail'] }) {
  return (
    <Paper withBorder p="sm" aria-label="Mail setup">
      <Stack gap={6}>
        <Title order={3} size="h6">
          From the server configuration
        </Title>
        <Text size="sm">
          Reply domain: <Code>{mail.reply_domain}</Code> (INBOUND_EMAIL_DOMAIN). Each case gets its own reply address,{' '}
          <Code>{mail.reply_address}</Code>, so customers' answers find their case.
        </Text>
        <Group gap="xs">
          <Text size="sm">Mail server:</Text>
          <Badge color={mail.mail_server ? 'teal' : 'orange'} variant="light">
            {mail.mail_server ? 'Configured' : 'Not configured: messages are stored, not sent (SMTP_URL)'}
          </Badge>
        </Group>
        <Group gap="xs">
          <Text size="sm">DKIM:</Text>
          {mail.dkim ? (
            <Badge color="teal" variant="light">
              Signing as {mail.dkim.domain}, selector {mail.dkim.selector}
            </Badge>
          ) : (
            <Badge color="gray" variant="light">
              Not configured (DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY)
            </Badge>
          )}
        </Group>
      </Stack>
    </Paper>
  )
}

function SettingsForm({ settings }: { settings: Settings }) {
  const can = useCan()
  const editable = can('merchant.manage')
  const { form, setForm, fields, submit, saveBar } = useSettingsForm({
    settings,
    queryKey: ['email-settings'],
    save: (body: Form) => ok(api.PUT('/api/v1/email-settings', { body })),
    toForm,
  })
  const brand = (i: number, patch: Partial<Form['brands'][number]>) =>
    setForm({ ...form, brands: form.brands.map((b, j) => (j === i ? { ...b, ...patch } : b)) })
  return (
    <Stack component="form" gap="sm" aria-label="Email settings" onSubmit={submit}>
      <Group grow align="flex-start">
        <TextInput
          label="From name"
          readOnly={!editable}
          value={form.from_name}
          onChange={(e) => setForm({ ...form, from_name: e.currentTarget.value })}
          error={fields.from_name}
        />
        <TextInput
          label="From address"
          readOnly={!editable}
          value={form.from_address}
          onChange={(e) => setForm({ ...form, from_address: e.currentTarget.value })}
          error={fields.from_address}
        />
        <TextInput
          label="Default locale"
          description="Templates fall back to it: en, de, de-AT"
          readOnly={!editable}
          value={form.default_locale}
          onChange={(e) => setForm({ ...form, default_locale: e.currentTarget.value })}
          error={fields.default_locale}
        />
      </Group>
      <Stack gap={4}>
        <Text size="sm" fw={500}>
          Senders per brand
        </Text>
        {form.brands.length === 0 && (
          <Text size="xs" c="dimmed">
            None: every email comes from the name and address above.
          </Text>
        )}
        {form.brands.map((b, i) => (
          <Group key={i} align="flex-start" gap="xs" aria-label={`Brand ${i + 1}`}>
            <TextInput
              aria-label="Brand key"
              placeholder="key"
              readOnly={!editable}
              value={b.key}
              onChange={(e) => brand(i, { key: e.currentTarget.value })}
              error={errorAt(fields, `brands.${i}.key`)}
            />
            <TextInput
              aria-label="Brand from name"
              placeholder="From name"
              readOnly={!editable}
              value={b.from_name}
              onChange={(e) => brand(i, { from_name: e.currentTarget.value })}
              error={errorAt(fields, `brands.${i}.from_name`)}
            />
            <TextInput
              aria-label="Brand from address"
              placeholder="From address"
              flex={1}
              readOnly={!editable}
              value={b.from_address}
              onChange={(e) => brand(i, { from_address: e.currentTarget.value })}
              error={errorAt(fields, `brands.${i}.from_address`)}
            />
            {editable && (
              <ActionIcon
                variant="subtle"
                color="red"
                mt={6}
                aria-label={`Remove brand ${b.key || i + 1}`}
                onClick={() => setForm({ ...form, brands: form.brands.filter((_, j) => j !== i) })}
              >
                ×
              </ActionIcon>
            )}
          </Group>
        ))}
        {editable && (
          <Button
            size="compact-xs"
            variant="subtle"
            w="fit-content"
            onClick={() => setForm({ ...form, brands: [...form.brands, { key: '', from_name: '', from_address: '' }] })}
          >
            Add a brand sender
          </Button>
        )}
      </Stack>
      <TagsInput
        label="Allowed link domains"
        description="Links in messages may point at these (and their subdomains); PUBLIC_URL, your shops' domains and the known carriers' tracking pages are always allowed. Type one, then Enter"
        readOnly={!editable}
        splitChars={[',', ' ', ';']}
        value={form.allowed_link_domains}
        onChange={(allowed_link_domains) => setForm({ ...form, allowed_link_domains })}
        error={errorAt(fields, 'allowed_link_domains')}
      />
      <SaveBar {...saveBar('Email settings saved.')} editable={editable}>
        Save email settings
      </SaveBar>
    </Stack>
  )
}
