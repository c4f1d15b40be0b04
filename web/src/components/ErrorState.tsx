import { Alert, Button, Stack } from '@mantine/core'
import { ApiError } from '../api/client'

/** What a failed load says instead of a blank screen, with a way to try again. */
export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  const title =
    error instanceof ApiError && error.status === 404
      ? 'Not found'
      : error instanceof ApiError && error.status === 403
        ? 'Not allowed'
        : 'Could not load this'
  return (
    <Stack maw={520} mx="auto" mt="xl">
      <Alert color="red" title={title} role="alert">
        {error instanceof Error ? error.message : 'The server could not be reached.'}
      </Alert>
      {retry && (
        <Button variant="default" onClick={retry}>
          Try again
        </Button>
      )}
    </Stack>
  )
}
