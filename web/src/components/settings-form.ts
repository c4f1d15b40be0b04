import { type QueryKey, useMutation, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { fieldErrorsOf } from './field-errors'

/**
 * A settings form's scaffold: the stored settings as local form state, a save that caches the server's answer and
 * resets the form to it, validation errors by field, and what the form's SaveBar needs.
 */
export function useSettingsForm<S, F = S>({
  settings,
  queryKey,
  save,
  toForm = (s) => s as unknown as F,
}: {
  /** As stored (the query's data). */
  settings: S
  /** The query that holds them, updated with the answer. */
  queryKey: QueryKey
  save: (form: F) => Promise<S>
  /** The part of the settings the form edits; without it, all of them. */
  toForm?: (s: S) => F
}) {
  const qc = useQueryClient()
  const [form, setForm] = useState(() => toForm(settings))
  const [saved, setSaved] = useState(false)
  const mutation = useMutation({
    meta: { fieldErrors: true },
    mutationFn: save,
    onSuccess: (next) => {
      qc.setQueryData(queryKey, next)
      setForm(toForm(next))
      setSaved(true)
    },
  })
  const stored = toForm(settings)
  return {
    form,
    setForm,
    fields: fieldErrorsOf(mutation.error),
    submit: (e: FormEvent) => {
      e.preventDefault()
      setSaved(false)
      mutation.mutate(form)
    },
    /** SaveBar's props but `editable` and the button's text; `message` is the note once saved. */
    saveBar: (message: string) => ({
      saved: saved && message,
      dismiss: () => setSaved(false),
      pending: mutation.isPending,
      unchanged: JSON.stringify(form) === JSON.stringify(stored),
      discard: () => setForm(stored),
    }),
  }
}
