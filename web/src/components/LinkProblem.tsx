import { Alert, Container } from '@mantine/core'
import { ApiError } from '../api/client'

type Words = { title: string; text: string }

/** Why a customer's signed link (portal, survey) opens nothing: expired, or not valid, in the page's own words. */
export function LinkProblem({ error, expired, invalid }: { error: unknown; expired: Words; invalid: Words }) {
  const words = error instanceof ApiError && error.code === 'link_expired' ? expired : invalid
  return (
    <Container size={480} py="xl">
      <Alert color={words === expired ? 'yellow' : 'red'} title={words.title} role="alert">
        {words.text}
      </Alert>
    </Container>
  )
}
