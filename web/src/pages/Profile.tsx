import {
  Badge,
  Button,
  Card,
  Group,
  PasswordInput,
  SegmentedControl,
  Stack,
  Text,
  Title,
  useMantineColorScheme,
  type MantineColorScheme,
} from '@mantine/core'
import { notifications } from '@mantine/notifications'
import { useMutation } from '@tanstack/react-query'
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
