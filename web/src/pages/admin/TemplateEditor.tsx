import {
  Alert,
  Badge,
  Button,
  Code,
  Grid,
  Group,
  List,
  ScrollArea,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useRef, useState } from 'react'
import { api, ApiError, ok } from '../../api/client'
import { useCan } from '../../app/session'
import { ConfirmButton } from '../../components/ConfirmButton'
import { humanize } from '../../components/format'
import { fieldErrorsOf } from '../../components/field-errors'
import { Dialog } from '../../components/form'
import { Loaded } from '../../components/lists'
import { TemplatePreview, type PreviewVersion } from './TemplatePreview'
import { TemplateVersions } from './TemplateVersions'
import { problemLabel } from '../../components/RenderedMessage'
import { draftState, insertAt, liquidFor, type QaProblem, type TemplateDetail } from './templates'

type Part = 'subject' | 'text' | 'html'
/** `contentSid` only matters on a WhatsApp template; empty is none. */
type Draft = { name: string; subject: string; text: string; html: string; contentSid: string }

/** One template: its draft to edit with the documented variables, a live preview with QA, test sends and versions. */
export function TemplateEditor({ id, close }: { id: string; close: () => void }) {
  const detail = useQuery({
    queryKey: ['message-templates', id],
    queryFn: () => ok(api.GET('/api/v1/message-templates/{id}', { params: { path: { id } } })),
  })
  return (
    <Dialog opened onClose={close} size="90rem" title={detail.data?.name ?? 'Template'}>
      <Loaded query={detail} skeleton={[40, 300, 120]}>
        {(t) => <Editor template={t} close={close} />}
      </Loaded>
    </Dialog>
  )
}

const toDraft = (t: TemplateDetail): Draft => ({
  name: t.name,
  subject: t.draft.subject,
  text: t.draft.text,
  html: t.draft.html ?? '',
  contentSid: t.content_sid ?? '',
})

/** The parts of the draft as the server takes them: an empty HTML part is none. */
const parts = (f: Draft) => ({ subject: f.subject, text: f.text, html: f.html.trim() ? f.html : null })

function Editor({ template: t, close }: { template: TemplateDetail; close: () => void }) {
  const can = useCan()
  const qc = useQueryClient()
  const editable = can('templates.manage') && !t.archived_at
  const [form, setForm] = useState<Draft>(() => toDraft(t))
  const [previewing, setPreviewing] = useState<PreviewVersion>('draft')
  const saved = toDraft(t)
  const dirty = (Object.keys(form) as (keyof Draft)[]).some((k) => form[k] !== saved[k])
  const stored = (next: TemplateDetail) => {
    qc.setQueryData(['message-templates', t.id], next)
    setForm(toDraft(next))
    return qc.invalidateQueries({ queryKey: ['message-templates'] })
  }
  const patch = () =>
    ok(
      api.PATCH('/api/v1/message-templates/{id}', {
        params: { path: { id: t.id } },
        body: {
          name: form.name,
          ...parts(form),
          ...(t.channel === 'whatsapp' ? { content_sid: form.contentSid.trim() || null } : {}),
        },
      }),
    )
  const saveDraft = useMutation({ meta: { inline: true }, mutationFn: patch, onSuccess: stored })
  const saveVersion = useMutation({
    meta: { inline: true },
    mutationFn: async () => {
      if (dirty) await patch()
      return ok(api.POST('/api/v1/message-templates/{id}/versions', { params: { path: { id: t.id } } }))
    },
    onSuccess: stored,
  })
  const archive = useMutation({
    mutationFn: () => ok(api.POST('/api/v1/message-templates/{id}/archive', { params: { path: { id: t.id } } })),
    onSuccess: async (next) => {
      await stored(next)
      close()
    },
  })
  const error = saveDraft.error ?? saveVersion.error
  const state = draftState(t)

  return (
    <Grid gap="lg">
      <Grid.Col span={{ base: 12, lg: 7 }}>
        <Stack gap="sm">
          <Group gap="xs">
            <Code>{t.purpose}</Code>
            <Badge variant="light">{humanize(t.channel)}</Badge>
            <Badge variant="light" color="gray">
              {t.locale}
            </Badge>
            <Badge variant="light" color={t.live_version ? 'teal' : 'gray'}>
              {t.live_version ? `Live: v${t.live_version}` : 'Not live'}
            </Badge>
            <Badge variant="dot" color={dirty ? 'orange' : state.color}>
              {dirty ? 'Unsaved changes' : state.label}
            </Badge>
            {t.archived_at && <Badge color="gray">Archived</Badge>}
          </Group>
          <DraftForm form={form} setForm={setForm} readOnly={!editable} />
          {t.channel === 'whatsapp' && (
            <TextInput
              label="WhatsApp Content SID"
              description="The approved content template in Twilio (HX…): sent instead of the text outside WhatsApp's 24-hour window, its variables rendered for the case. Empty: none, so only the text goes, inside the window"
              placeholder="HX…"
              readOnly={!editable}
              value={form.contentSid}
              onChange={(e) => setForm({ ...form, contentSid: e.currentTarget.value })}
              error={fieldErrorsOf(error).content_sid}
            />
          )}
          {error && <SaveError error={error} />}
          {editable && (
            <Group justify="space-between">
              <Group gap="xs">
                <Button
                  variant="default"
                  disabled={!dirty}
                  loading={saveDraft.isPending}
                  onClick={() => saveDraft.mutate()}
                >
                  Save draft
                </Button>
                <Button
                  loading={saveVersion.isPending}
                  disabled={!dirty && !t.draft_changed}
                  onClick={() => saveVersion.mutate()}
                >
                  Save as new version
                </Button>
              </Group>
              <ConfirmButton
                label="Archive"
                color="orange"
                ariaLabel={`Archive ${t.name}`}
                pending={archive.isPending}
                confirm="Archive"
                question={`Archive ${t.name}? Nothing is sent from it any more; its versions stay on record.`}
                onConfirm={() => archive.mutate()}
              />
            </Group>
          )}
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 5 }}>
        <TemplatePreview
          template={t}
          version={previewing}
          setVersion={setPreviewing}
          unsaved={dirty ? parts(form) : null}
        />
      </Grid.Col>
      <Grid.Col span={12}>
        <TemplateVersions template={t} preview={setPreviewing} stored={stored} />
      </Grid.Col>
    </Grid>
  )
}

/** The draft's fields and the documented variables, each inserted where the cursor last was. */
function DraftForm({ form, setForm, readOnly }: { form: Draft; setForm: (f: Draft) => void; readOnly: boolean }) {
  const variables = useQuery({
    queryKey: ['message-templates', 'variables'],
    queryFn: () => ok(api.GET('/api/v1/message-templates/variables')),
    select: (r) => r.data,
    staleTime: Infinity,
  })
  const refs = {
    subject: useRef<HTMLInputElement>(null),
    text: useRef<HTMLTextAreaElement>(null),
    html: useRef<HTMLTextAreaElement>(null),
  }
  const last = useRef<Part>('text')
  const bind = (part: Part) => ({
    value: form[part],
    readOnly,
    onFocus: () => {
      last.current = part
    },
    onChange: (e: { currentTarget: { value: string } }) => setForm({ ...form, [part]: e.currentTarget.value }),
  })
  const insert = (name: string) => {
    const part = last.current
    const el = refs[part].current
    const at = insertAt(
      form[part],
      el?.selectionStart ?? form[part].length,
      el?.selectionEnd ?? form[part].length,
      liquidFor(name),
    )
    setForm({ ...form, [part]: at.value })
    requestAnimationFrame(() => {
      el?.focus()
      el?.setSelectionRange(at.cursor, at.cursor)
    })
  }
  return (
    <>
      <TextInput
        label="Name"
        value={form.name}
        readOnly={readOnly}
        onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
      />
      <TextInput label="Subject" ref={refs.subject} {...bind('subject')} />
      <Textarea
        label="Text"
        description="The plain-text part: every email has one"
        autosize
        minRows={5}
        maxRows={16}
        ref={refs.text}
        {...bind('text')}
      />
      <Textarea
        label="HTML"
        description="Optional; shown sanitised. Links must be https and on an allowed domain"
        autosize
        minRows={3}
        maxRows={16}
        ref={refs.html}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        {...bind('html')}
      />
      <Stack gap={4}>
        <Title order={3} size="h6">
          Variables
        </Title>
        <Text size="xs" c="dimmed">
          {readOnly ? 'What a template may use.' : 'Inserted where the cursor was in the subject, text or HTML.'}
        </Text>
        <ScrollArea.Autosize mah={220} type="auto">
          <List size="sm" spacing={2} listStyleType="none" aria-label="Variables">
            {variables.data?.map((v) => (
              <List.Item key={v.name}>
                <Group gap="xs" wrap="nowrap">
                  {!readOnly && (
                    <Button
                      size="compact-xs"
                      variant="light"
                      aria-label={`Insert ${v.name}`}
                      onClick={() => insert(v.name)}
                    >
                      Insert
                    </Button>
                  )}
                  <Code>{v.name}</Code>
                  <Text size="xs" c="dimmed">
                    {v.description}
                  </Text>
                </Group>
              </List.Item>
            ))}
          </List>
        </ScrollArea.Autosize>
      </Stack>
    </>
  )
}

/** Why a save failed: the render problems that stop a version, or the server's message. */
function SaveError({ error }: { error: Error }) {
  const problems = error instanceof ApiError ? (error.body.details?.problems as QaProblem[] | undefined) : undefined
  return (
    <Alert
      color="red"
      role="alert"
      title={error instanceof ApiError ? error.message : 'The server could not be reached'}
    >
      {problems && (
        <List size="sm">
          {problems.map((p, i) => (
            <List.Item key={i}>
              {problemLabel(p)}: {p.detail}
            </List.Item>
          ))}
        </List>
      )}
    </Alert>
  )
}
