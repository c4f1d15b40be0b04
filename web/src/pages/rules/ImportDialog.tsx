import { Alert, Button, Checkbox, FileInput, Group, List, Stack, Text } from '@mantine/core'
import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { ApiError } from '../../api/client'
import { Dialog } from '../../components/form'
import { type ImportResult, importRules, ruleKeys, type RuleProblem } from './requests'
import { problemPlace } from './rule-text'

const kinds = ['created', 'updated', 'unchanged', 'deleted'] as const

/** Uploads a rules file: a dry run first says what it would change, then the same file is applied. */
export function ImportDialog({ close }: { close: () => void }) {
  const qc = useQueryClient()
  const [file, setFile] = useState<File | null>(null)
  const [replace, setReplace] = useState(false)
  const run = useMutation({
    meta: { inline: true },
    mutationFn: async ({ dryRun }: { dryRun: boolean }) => ({
      dryRun,
      result: await importRules(await file!.text(), { replace, dryRun }),
    }),
    onSuccess: ({ dryRun }) => (dryRun ? undefined : qc.invalidateQueries({ queryKey: ruleKeys.all })),
  })
  const reset = () => run.reset()
  const checked = run.data?.dryRun === true
  const applied = run.data?.dryRun === false
  return (
    <Dialog opened onClose={close} title="Import rules" size="lg">
      <Stack>
        <Text size="sm">
          A rules file as Export writes it. Rules are matched by name: new names are created, changed ones get a new
          version.
        </Text>
        <FileInput
          label="Rules file"
          placeholder="rules.txt"
          accept=".txt,text/plain"
          value={file}
          onChange={(f) => {
            setFile(f)
            reset()
          }}
        />
        <Checkbox
          label="Delete rules that are not in the file"
          checked={replace}
          onChange={(e) => {
            setReplace(e.currentTarget.checked)
            reset()
          }}
        />
        {run.error && <ImportError error={run.error} />}
        {run.data && (
          <Alert variant="default" title={applied ? 'Imported' : 'What the import would do'}>
            <ImportSummary result={run.data.result} />
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            {applied ? 'Close' : 'Cancel'}
          </Button>
          {!applied &&
            (checked ? (
              <Button onClick={() => run.mutate({ dryRun: false })} loading={run.isPending}>
                Apply import
              </Button>
            ) : (
              <Button onClick={() => run.mutate({ dryRun: true })} loading={run.isPending} disabled={!file}>
                Check file
              </Button>
            ))}
        </Group>
      </Stack>
    </Dialog>
  )
}

function ImportSummary({ result }: { result: ImportResult }) {
  return (
    <List size="sm" aria-label="Import summary">
      {kinds.map((k) => (
        <List.Item key={k}>
          {result[k].length} {k}
          {result[k].length > 0 && `: ${result[k].join(', ')}`}
        </List.Item>
      ))}
    </List>
  )
}

function ImportError({ error }: { error: Error }) {
  const problems = error instanceof ApiError ? ((error.body.details?.problems as RuleProblem[] | undefined) ?? []) : []
  return (
    <Alert color="red" title="The file was not imported" role="alert">
      <Text size="sm">{error.message}</Text>
      {problems.length > 0 && (
        <List size="sm" mt="xs">
          {problems.map((p, i) => (
            <List.Item key={i}>
              {problemPlace(p)}: {p.message}
            </List.Item>
          ))}
        </List>
      )}
    </Alert>
  )
}
