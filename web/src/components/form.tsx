import { Button, Group, Modal, type ModalProps, Stack } from '@mantine/core'
import { type QueryKey, useMutation, useQueryClient } from '@tanstack/react-query'
import { type ChangeEvent, type Dispatch, type FormEvent, type ReactNode, type SetStateAction, useState } from 'react'
import { fieldErrorsOf } from './field-errors'

type TextKeys<F> = { [K in keyof F]: F[K] extends string ? K : never }[keyof F]

/**
 * `value`, `onChange` and `error` binding an input to one key of a form's state; the error is the server's for the
 * field of that name, or of the name given.
 */
export function bindForm<F extends object>(
  form: F,
  setForm: Dispatch<SetStateAction<F>>,
  errors: Record<string, string>,
) {
  const put = <K extends keyof F>(key: K, value: F[K]) => setForm((f) => ({ ...f, [key]: value }))
  return {
    /** For text inputs, whose onChange hands over an event. */
    text: <K extends TextKeys<F>>(key: K, field: string = String(key)) => ({
      value: form[key] as string,
      onChange: (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => put(key, e.currentTarget.value as F[K]),
      error: errors[field],
    }),
    /** For pickers (Select, MultiSelect, TagsInput), whose onChange hands over the value. */
    value: <K extends keyof F>(key: K, field: string = String(key)) => ({
      value: form[key],
      onChange: (v: F[K]) => put(key, v),
      error: errors[field],
    }),
  }
}

/**
 * A form's save: validation errors are shown beside the fields; once saved, `done` runs and the lists under
 * `invalidates` load again.
 */
export function useSave<B, R>(mutationFn: (body: B) => Promise<R>, invalidates: QueryKey, done: (saved: R) => void) {
  const qc = useQueryClient()
  return useMutation({
    meta: { fieldErrors: true },
    mutationFn,
    onSuccess: (saved) => {
      done(saved)
      return qc.invalidateQueries({ queryKey: invalidates })
    },
  })
}

/**
 * The form of a dialog that creates something: its state starts `blank`, and once created it is blank again, the
 * dialog closes and `created` gets the answer.
 */
export function useCreateForm<F extends object, B, R>(
  blank: F,
  create: { call: (body: B) => Promise<R>; invalidates: QueryKey; close: () => void; created?: (answer: R) => void },
) {
  const [form, setForm] = useState(blank)
  const save = useSave(create.call, create.invalidates, (answer) => {
    create.created?.(answer)
    setForm(blank)
    create.close()
  })
  return withFields(form, setForm, save)
}

/**
 * The form of a dialog that edits `record`, or creates one when there is none: its state starts `initial`; once
 * saved, the dialog closes and the lists under `invalidates` load again.
 */
export function useRecordForm<F extends object, T, B, R>(
  initial: () => F,
  record: T | null,
  save: {
    create: (body: B) => Promise<R>
    update: (record: T, body: B) => Promise<R>
    invalidates: QueryKey
    close: () => void
  },
) {
  const [form, setForm] = useState(initial)
  const call = (body: B) => (record ? save.update(record, body) : save.create(body))
  return withFields(form, setForm, useSave(call, save.invalidates, save.close))
}

/** A form's state and save, with the server's errors by field and inputs bound to them. */
function withFields<F extends object, S extends { error: unknown }>(
  form: F,
  setForm: Dispatch<SetStateAction<F>>,
  save: S,
) {
  const fields = fieldErrorsOf(save.error)
  return { form, setForm, save, fields, field: bindForm(form, setForm, fields) }
}

/** A dialog's close button, named for screen readers. */
export function Dialog(props: ModalProps) {
  return <Modal closeButtonProps={{ 'aria-label': 'Close' }} {...props} />
}

/** A dialog holding one form; `submit` runs in place of the browser's submission. */
export function FormDialog({ submit, children, ...modal }: ModalProps & { submit: () => void }) {
  return (
    <Dialog {...modal}>
      <Stack
        component="form"
        onSubmit={(e: FormEvent) => {
          e.preventDefault()
          submit()
        }}
      >
        {children}
      </Stack>
    </Dialog>
  )
}

/** The foot of a dialog's form: Cancel, then the submit button. */
export function FormActions({
  cancel,
  loading,
  disabled,
  color,
  children,
}: {
  cancel: () => void
  loading: boolean
  disabled?: boolean
  color?: string
  children: ReactNode
}) {
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={cancel}>
        Cancel
      </Button>
      <Button type="submit" color={color} loading={loading} disabled={disabled}>
        {children}
      </Button>
    </Group>
  )
}
