import {
  Badge,
  Button,
  Card,
  Group,
  PasswordInput,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Text,
  Title,
  useMantineColorScheme,
  type MantineColorScheme,
} from '@mantine/core'
import { notifications } from '@mantine/notifications'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { api, ApiError, ok } from '../api/client'
import { useSession } from '../app/session'
import { bindForm } from '../components/form'

/** The signed-in person: who they are here, what their role lets them do, their password and theme. */
export function Profile() {
  const session = useSession()
  const { colorScheme, setColorScheme } = useMantineColorScheme()
  const [form, setForm] = useState({ current: '', next: '' })
  const change = useMutation({
    meta: { fieldErrors: true },
    mutationFn: () =>
      ok(api.POST('/api/v1/auth/password', { body: { current_password: form.current, new_password: form.next } })),
    onSuccess: () => {
      setForm({ current: '', next: '' })
      notifications.show({ color: 'teal', title: 'Password changed', message: 'Your other sessions were signed out.' })
    },
  })
  const err = change.error instanceof ApiError ? change.error : null
  // The two refusals that name no field still belong beside one.
  const field = bindForm(form, setForm, {
    ...(err?.code === 'invalid_credentials' ? { current_password: err.message } : {}),
    ...(err?.code === 'password_unchanged' ? { new_password: err.message } : {}),
    ...err?.fieldErrors(),
  })
  return (
    <Stack gap="md" maw={640}>
      <Title order={1} size="h3">
        {session.name}
      </Title>
      <Card withBorder>
        <Title order={2} size="h5" mb="xs">
          What your role allows
        </Title>
        <Group gap={6}>
          {session.permissions.map((p) => (
            <Badge key={p} variant="light" tt="none">
              {p}
            </Badge>
          ))}
        </Group>
      </Card>
      <Card withBorder>
        <Title order={2} size="h5" mb="xs">
          Theme
        </Title>
        <SegmentedControl
          aria-label="Theme"
          value={colorScheme}
          onChange={(v) => setColorScheme(v as MantineColorScheme)}
          data={[
            { value: 'auto', label: 'As the system' },
            { value: 'light', label: 'Light' },
            { value: 'dark', label: 'Dark' },
          ]}
        />
      </Card>
      {session.actor_type === 'user' && <EmailDigest />}
      {session.actor_type === 'user' && (
        <Card
          withBorder
          component="form"
          onSubmit={(e: FormEvent) => {
            e.preventDefault()
            change.mutate()
          }}
        >
          <Title order={2} size="h5" mb="xs">
            Change password
          </Title>
          <Stack gap="xs">
            <PasswordInput
              label="Current password"
              autoComplete="current-password"
              required
              {...field.text('current', 'current_password')}
            />
            <PasswordInput
              label="New password"
              autoComplete="new-password"
              required
              {...field.text('next', 'new_password')}
            />
            <Text size="xs" c="dimmed">
              Changing it signs you out everywhere else.
            </Text>
            <Group justify="flex-end">
              <Button type="submit" loading={change.isPending}>
                Change password
              </Button>
            </Group>
          </Stack>
        </Card>
      )}
    </Stack>
  )
}

const intervals = [5, 15, 30, 60, 120, 240, 480, 1440].map((n) => ({
  value: String(n),
  label: n < 60 ? `${n} minutes` : n === 60 ? 'hour' : n === 1440 ? 'day' : `${n / 60} hours`,
}))

/** Unread notifications also by email, as one digest at most every so often; the app stays where they live. */
function EmailDigest() {
  const qc = useQueryClient()
  const key = ['notifications', 'email-digest']
  const settings = useQuery({ queryKey: key, queryFn: () => ok(api.GET('/api/v1/notifications/email-digest')) })
  const save = useMutation({
    mutationFn: (body: { enabled?: boolean; interval_minutes?: number }) =>
      ok(api.PUT('/api/v1/notifications/email-digest', { body })),
    onSuccess: (data) => qc.setQueryData(key, data),
  })
  const s = save.isPending && save.variables ? { ...settings.data, ...save.variables } : settings.data
  return (
    <Card withBorder component="section" aria-label="Email digest">
      <Title order={2} size="h5" mb="xs">
        Email digest
      </Title>
      <Stack gap="xs">
        <Text size="xs" c="dimmed">
          Mentions, assignments and escalations you have not read in Claimdesk, in one email at most every so often.
          What you read here as it happens is never emailed.
        </Text>
        <Switch
          label="Email me a digest of unread notifications"
          checked={s?.enabled ?? false}
          disabled={!s}
          onChange={(e) => save.mutate({ enabled: e.currentTarget.checked })}
        />
        <Select
          label="At most one email every"
          data={intervals}
          value={s ? String(s.interval_minutes) : null}
          disabled={!s?.enabled}
          allowDeselect={false}
          onChange={(v) => v && save.mutate({ interval_minutes: Number(v) })}
          maw={240}
        />
        {save.isError && (
          <Text size="xs" c="red">
            Not saved: {save.error.message}
          </Text>
        )}
      </Stack>
    </Card>
  )
}
