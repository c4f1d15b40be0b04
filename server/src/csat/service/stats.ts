import { listCaseTypes } from '../../cases/service.js'
import type { Db } from '../../db/owned.js'
import { getMerchant } from '../../merchants/service.js'
import { carrierName } from '../../shipments/carriers.js'
import { listTeams } from '../../teams/service.js'
import { getUser } from '../../users/service.js'
import { getCsatSettings } from '../settings.js'
import * as store from '../store.js'
import type { SurveyKind } from '../tables.js'

export type StatsGroup = store.StatsGroup

export type CsatFigures = {
  sent: number
  responses: number
  /** responses / sent; null when none was sent */
  response_rate: number | null
  average_score: number | null
  /** CSAT: the share of answers scoring 4 or 5, in percent; null for NPS or without answers */
  csat_percent: number | null
  /** NPS: promoters (9–10) minus detractors (0–6), in percent of answers; null for CSAT or without answers */
  nps: number | null
}
export type CsatGroupFigures = CsatFigures & { group: string | null; label: string }

const round = (n: number, places: number) => Math.round(n * 10 ** places) / 10 ** places

function figures(
  kind: SurveyKind,
  r: { sent: string; responses: string; score_sum: string; high: string; detractors: string },
) {
  const sent = Number(r.sent)
  const responses = Number(r.responses)
  const share = (n: number) => (responses ? round((n / responses) * 100, 1) : null)
  const high = share(Number(r.high))
  return {
    sent,
    responses,
    response_rate: sent ? round(responses / sent, 4) : null,
    average_score: responses ? round(Number(r.score_sum) / responses, 2) : null,
    csat_percent: kind === 'csat' ? high : null,
    nps: kind === 'nps' && high !== null ? round(high - share(Number(r.detractors))!, 1) : null,
  }
}

/** What people call a group: the case type's label, the carrier's and team's names, the agent's, the week's Monday. */
async function labeller(db: Db, merchantId: string, groupBy: StatsGroup, keys: (string | null)[]) {
  switch (groupBy) {
    case 'case_type': {
      const types = await listCaseTypes(db, merchantId, true)
      return (k: string | null) => types.find((t) => t.key === k)?.label ?? k ?? 'No type'
    }
    case 'carrier':
      return (k: string | null) => (k ? (carrierName(k) ?? k) : 'No carrier')
    case 'team': {
      const teams = await listTeams(db, merchantId, { limit: 1000 })
      return (k: string | null) => (k ? (teams.find((t) => t.id === k)?.name ?? 'Former team') : 'No team')
    }
    case 'agent': {
      const names = new Map<string, string>()
      for (const k of keys.filter((k): k is string => k !== null)) {
        names.set(k, (await getUser(db, merchantId, k).catch(() => null))?.name ?? 'Former member')
      }
      return (k: string | null) => (k ? names.get(k)! : 'Unassigned')
    }
    case 'week':
      return (k: string | null) => `Week of ${k}`
  }
}

/**
 * Surveys of the workspace's current kind created in [from, to), per group and in all: sent, answered, the
 * response rate, the average score and the CSAT % or NPS. Weeks come in order; other groups by responses, most
 * first, then by label and key (so equal groups always list the same way).
 */
export async function csatStats(db: Db, merchantId: string, groupBy: StatsGroup, range: { from?: Date; to?: Date }) {
  const [settings, merchant] = await Promise.all([getCsatSettings(db, merchantId), getMerchant(db, merchantId)])
  const rows = await store.countStats(db, merchantId, settings.kind, groupBy, range, merchant.time_zone)
  const label = await labeller(
    db,
    merchantId,
    groupBy,
    rows.map((r) => r.grp),
  )
  const groups: CsatGroupFigures[] = rows.map((r) => ({
    group: r.grp,
    label: label(r.grp),
    ...figures(settings.kind, r),
  }))
  groups.sort((a, b) =>
    groupBy === 'week'
      ? (a.group ?? '').localeCompare(b.group ?? '')
      : b.responses - a.responses || a.label.localeCompare(b.label) || (a.group ?? '').localeCompare(b.group ?? ''),
  )
  const sum = (k: 'sent' | 'responses' | 'score_sum' | 'high' | 'detractors') =>
    String(rows.reduce((n, r) => n + Number(r[k]), 0))
  const total = figures(settings.kind, {
    sent: sum('sent'),
    responses: sum('responses'),
    score_sum: sum('score_sum'),
    high: sum('high'),
    detractors: sum('detractors'),
  })
  return { kind: settings.kind, group_by: groupBy, time_zone: merchant.time_zone, total, groups }
}
