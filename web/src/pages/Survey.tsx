import {
  Alert,
  Button,
  Card,
  Center,
  Container,
  Group,
  Loader,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  Title,
} from '@mantine/core'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { type FormEvent, useState } from 'react'
import { useParams } from 'react-router'
import { api, ApiError, ok } from '../api/client'
import { LinkProblem } from '../components/LinkProblem'

/** Why a link does not open its survey, in the customer's words. */
const SurveyLinkProblem = ({ error }: { error: unknown }) => (
  <LinkProblem
    error={error}
    expired={{
      title: 'This survey has closed',
      text: 'Survey links last a limited time, and this one has run out. Thank you all the same.',
    }}
    invalid={{
      title: 'This link does not work',
      text: 'Check that the whole link was copied from the email. If it still does not work, just reply to the email instead.',
    }}
  />
)

/** The one-question survey a customer reaches from the link sent after their case was resolved: phone first. */
export default function Survey() {
  const { token = '' } = useParams()
  const qc = useQueryClient()
  const [score, setScore] = useState<number | null>(null)
  const [comment, setComment] = useState('')
  const survey = useQuery({
    queryKey: ['survey', token],
    queryFn: () => ok(api.GET('/api/v1/surveys/{token}', { params: { path: { token } } })),
    retry: false,
  })
  const answer = useMutation({
    meta: { inline: true },
    mutationFn: (body: { score: number; comment: string | null }) =>
      ok(api.POST('/api/v1/surveys/{token}/answer', { params: { path: { token } }, body })),
    onSuccess: (next) => qc.setQueryData(['survey', token], next),
  })
  if (survey.isPending)
    return (
      <Center h="100vh">
        <Loader aria-label="Loading" />
      </Center>
    )
  if (survey.isError) return <SurveyLinkProblem error={survey.error} />
  const s = survey.data
  const error = answer.error instanceof ApiError ? answer.error : null
  if (error && error.code !== 'validation_failed' && error.code !== 'csat_score_out_of_range' && error.status !== 409)
    return <SurveyLinkProblem error={error} />
  const scores = Array.from({ length: s.max - s.min + 1 }, (_, i) => s.min + i)
  return (
    <Container size={560} px="sm" py="md">
      <Stack gap="md">
        <Text fw={700} size="lg">
          {s.store}
        </Text>
        <Card withBorder padding="lg">
          <Text size="sm" c="dimmed">
            Your case {s.case_number}
          </Text>
          {s.answered ? (
            <Stack gap="xs" mt={4} role="status">
              <Title order={1} size="h2">
                Thank you!
              </Title>
              <Text>
                You gave us {s.score} out of {s.max}. Your answer goes straight to our support team.
              </Text>
            </Stack>
          ) : (
            <Stack
              component="form"
              gap="md"
              mt={4}
              onSubmit={(e: FormEvent) => {
                e.preventDefault()
                if (score !== null) answer.mutate({ score, comment: comment.trim() || null })
              }}
            >
              <Title order={1} size="h2" id="survey-question">
                {s.question}
              </Title>
              <div>
                {/* NPS's eleven in two rows of six at most: each stays wide enough to tap on a phone. */}
                <SimpleGrid
                  cols={s.kind === 'nps' ? 6 : 5}
                  spacing={8}
                  role="radiogroup"
                  aria-labelledby="survey-question"
                >
                  {scores.map((n) => (
                    <Button
                      key={n}
                      role="radio"
                      aria-checked={score === n}
                      aria-label={`${n}${n === s.min ? `, ${s.min_label}` : n === s.max ? `, ${s.max_label}` : ''}`}
                      variant={score === n ? 'filled' : 'default'}
                      h={s.kind === 'nps' ? 52 : 60}
                      px={0}
                      fz={s.kind === 'nps' ? 'md' : 'xl'}
                      onClick={() => setScore(n)}
                    >
                      {n}
                    </Button>
                  ))}
                </SimpleGrid>
                <Group justify="space-between" mt={6}>
                  <Text size="xs" c="dimmed">
                    {s.min_label}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {s.max_label}
                  </Text>
                </Group>
              </div>
              <Textarea
                label="Anything you would like to add? (optional)"
                autosize
                minRows={3}
                maxLength={2000}
                value={comment}
                onChange={(e) => setComment(e.currentTarget.value)}
                error={error?.fieldErrors().comment}
              />
              {error && !error.fieldErrors().comment && (
                <Alert color={error.status === 409 ? 'yellow' : 'red'} role="alert">
                  {error.status === 409 ? 'You have answered this survey already. Thank you!' : error.message}
                </Alert>
              )}
              <Button type="submit" size="lg" fullWidth loading={answer.isPending} disabled={score === null}>
                Send my answer
              </Button>
            </Stack>
          )}
        </Card>
        {!s.answered && (
          <Text size="xs" c="dimmed" ta="center">
            One answer per survey. The link works until {new Date(s.expires_at).toLocaleDateString()}.
          </Text>
        )}
      </Stack>
    </Container>
  )
}
