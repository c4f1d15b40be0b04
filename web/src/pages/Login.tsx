import { Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { api, ApiError, ok, setCsrfToken } from '../api/client'

export function Login() {
  const qc = useQueryClient()
  const [form, setForm] = useState({ email: '', password: '', workspace: '' })
  const [needsWorkspace, setNeedsWorkspace] = useState(false)
  const login = useMutation({
    meta: { inline: true },
    mutationFn: () =>
      ok(
        api.POST('/api/v1/auth/login', {
          body: {
            email: form.email,
            password: form.password,
            ...(form.workspace ? { workspace: form.workspace } : {}),
          },
        }),
      ),
    onSuccess: (session) => {
      setCsrfToken(session.csrf_token)
      qc.setQueryData(['session'], session)
    },
    onError: (err) => {
      if (err instanceof ApiError && err.code === 'workspace_required') setNeedsWorkspace(true)
    },
  })
  const err = login.error instanceof ApiError ? login.error : null
  const fields = err?.fieldErrors() ?? {}
  const submit = (e: FormEvent) => {
    e.preventDefault()
    login.mutate()
  }
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" w={380} component="form" onSubmit={submit} aria-labelledby="sign-in-title">
        <Stack>
          <Title order={2} id="sign-in-title">
            Sign in to Claimdesk
          </Title>
          <TextInput
            label="Email"
            type="email"
            autoComplete="username"
            required
            value={form.email}
            error={fields.email}
            onChange={(e) => setForm({ ...form, email: e.currentTarget.value })}
          />
          <PasswordInput
            label="Password"
            autoComplete="current-password"
            required
            value={form.password}
            error={fields.password}
            onChange={(e) => setForm({ ...form, password: e.currentTarget.value })}
          />
          {needsWorkspace && (
            <TextInput
              label="Workspace"
              description="Your email belongs to several workspaces"
              value={form.workspace}
              error={fields.workspace}
              onChange={(e) => setForm({ ...form, workspace: e.currentTarget.value })}
            />
          )}
          {err && !Object.keys(fields).length && (
            <Text c="red" size="sm" role="alert">
              {err.message}
            </Text>
          )}
          <Button type="submit" loading={login.isPending}>
            Sign in
          </Button>
        </Stack>
      </Paper>
    </Center>
  )
}
