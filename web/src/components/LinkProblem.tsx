import { Alert, Container } from '@mantine/core'
import { ApiError } from '../api/client'

type Words = { title: string; text: string }

/** Why a customer's signed link (portal, survey) opens nothing: expired, or not valid, in the page's own words. */
export function LinkProblem({
  error,
  expired,
  invalid,
  closed = expired,
}: {
  error: unknown
  expired: Words
  invalid: Words
  /** A link the store withdrew, or whose request is complete. */
  closed?: Words
}) {
  const code = error instanceof ApiError ? error.code : undefined
  const words =
    code === 'link_expired' ? expired : code === 'link_revoked' || code === 'link_completed' ? closed : invalid
  return (
    <Container size={480} py="xl">
      <Alert color={words === invalid ? 'red' : 'yellow'} title={words.title} role="alert">
        {words.text}
      </Alert>
    </Container>
  )
}
