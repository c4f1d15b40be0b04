import { Readable } from 'node:stream'
import { systemContext } from '../src/auth/actor.js'
import { addEvidence, evidenceContext } from '../src/evidence/index.js'
import { multipart, photoPng } from '../src/evidence/testing.js'
import type { FixtureKitShape, RouteFixture } from './fixture-kit.js'

// Requests for the evidence module's routes (issue 24), for the RBAC matrix and the fuzz test.

/** A damage photo on a fresh case of the kit's workspace. */
async function evidenceItem(k: FixtureKitShape): Promise<string> {
  const item = await addEvidence(evidenceContext(k.ctx, systemContext(k.m.id)), {
    caseId: await k.case(),
    typeKey: 'damage_photo',
    source: 'upload',
    uploader: { kind: 'agent' },
    file: { stream: Readable.from([await photoPng()]), filename: 'photo.png' },
  })
  k.created.add(item.id)
  return item.id
}

const onItem: RouteFixture = async (k) => ({ params: { id: await evidenceItem(k) } })

export const evidenceFixtures: Record<string, RouteFixture> = {
  'POST /api/v1/cases/{id}/evidence': async (k) => {
    const body = multipart({ type: 'damage_photo' }, { name: 'dent.png', data: await photoPng() })
    return {
      params: { id: await k.case() },
      raw: { contentType: body.headers['content-type'], payload: body.payload },
      ownStatus: 201,
    }
  },
  'GET /api/v1/cases/{id}/evidence': async (k) => ({ params: { id: await k.case() } }),
  'GET /api/v1/cases/{id}/evidence/check': async (k) => ({ params: { id: await k.case() } }),
  'GET /api/v1/evidence/{id}': onItem,
  'PATCH /api/v1/evidence/{id}': async (k) => ({ params: { id: await evidenceItem(k) }, body: { notes: 'Seen' } }),
  'DELETE /api/v1/evidence/{id}': async (k) => ({ params: { id: await evidenceItem(k) }, ownStatus: 204 }),
  'GET /api/v1/evidence/{id}/file': onItem,
  'GET /api/v1/evidence/{id}/thumbnail': onItem,
  'GET /api/v1/evidence/types': async () => ({}),
  'POST /api/v1/evidence/types': async (k) => ({
    body: { key: k.unique('kind').replace('-', '_'), label: 'Unboxing photo', kind: 'photo' },
    ownStatus: 201,
  }),
  'PATCH /api/v1/evidence/types/{key}': async () => ({ params: { key: 'other' }, body: { label: 'Anything else' } }),
  'GET /api/v1/evidence/settings': async () => ({}),
  'PUT /api/v1/evidence/settings': async () => ({ body: { keep_exif: false } }),
}
