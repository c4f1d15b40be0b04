import { describe, expect, it } from 'vitest'
import { bearer, expectError, startTestApp } from '../../test/harness.js'
import { FixtureKit } from '../../test/route-fixtures.js'

const { env, app, m, other } = await startTestApp({ other: true })

describe('proofs of delivery', () => {
  it("lists the carrier's proof on its tracker and serves its bytes as sent, inert, to this workspace only", async () => {
    const { tracker, proof } = await new FixtureKit(env.ctx, m).trackerWithProof()
    const view = (await app.inject({ url: `/api/v1/trackers/${tracker}`, headers: bearer(m.keys.agent) })).json()
    expect(view.proofs).toEqual([
      expect.objectContaining({ id: proof, kind: 'signature', content_type: 'image/png', size_bytes: 70 }),
    ])
    const file = await app.inject({
      url: `/api/v1/trackers/${tracker}/proofs/${proof}`,
      headers: bearer(m.keys.viewer),
    })
    expect(file.statusCode).toBe(200)
    expect(file.headers).toMatchObject({ 'content-type': 'image/png', 'x-content-type-options': 'nosniff' })
    expect(file.rawPayload.subarray(1, 4).toString()).toBe('PNG')
    expect(file.rawPayload.length).toBe(70)
    const foreign = await app.inject({
      url: `/api/v1/trackers/${tracker}/proofs/${proof}`,
      headers: bearer(other.keys.admin),
    })
    expectError(foreign, 404, 'proof_not_found', { tracker_id: tracker, proof_id: proof })
  })
})
