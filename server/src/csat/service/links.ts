import { createHash } from 'node:crypto'
import { AppError } from '../../errors.js'
import { signLink, verifyLink } from '../../links/signed-links.js'
import type { Db } from '../../db/owned.js'
import * as store from '../store.js'

// A survey link opens its one survey and nothing else (the portal's status link has its own purpose).
export const surveyPurpose = 'csat_survey'

type SurveyClaims = { merchant_id: string; id: string; expires_at: Date }

/**
 * The survey's signed link: the same token every time for the same survey (its id is the link's id, its expiry the
 * survey's), so a message sent again by another channel carries the same link, and the row keeps only its hash.
 */
export function surveyToken(secret: Buffer, s: SurveyClaims, now: Date): string {
  return signLink(
    secret,
    {
      merchantId: s.merchant_id,
      purpose: surveyPurpose,
      subjectType: 'csat_survey',
      subjectId: s.id,
      expiresAt: s.expires_at,
      linkId: s.id,
    },
    now,
  )
}

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex')

export const surveyUrl = (publicUrl: string, token: string) => `${publicUrl.replace(/\/$/, '')}/survey/${token}`

/** The survey a link stands for: forged, tampered, misused or expired links are refused as the portal's are. */
export async function surveyOfToken(db: Db, secret: Buffer, token: string, now: Date) {
  const claims = verifyLink(secret, token, { purpose: surveyPurpose, subjectType: 'csat_survey' }, now)
  const survey = await store.findSurvey(db, claims.merchantId, claims.subjectId)
  if (!survey || survey.token_hash !== tokenHash(token))
    throw new AppError('link_invalid', 'This link is not valid', undefined, 401)
  return survey
}
