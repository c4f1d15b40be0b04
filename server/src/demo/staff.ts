import type { Team } from '../teams/service.js'

export type Person = { id: string; name: string }

/** Who works Northwind's cases: the manager triages and escalates, agents do the work (the logistics lead takes most carrier cases and the warehouse checks), finance approves refunds. */
export type Staff = {
  manager: Person
  agents: Person[]
  logisticsLead: Person
  finance: Person
  teams: { support: string; highValue: string; logistics: string }
}

export function staffOf(people: { role: string; name: string; id: string }[], teams: Team[]): Staff {
  const one = (role: string) => people.find((p) => p.role === role)!
  const team = (name: string) => teams.find((t) => t.name === name)!
  const logistics = team('Logistics Ops')
  return {
    manager: one('manager'),
    finance: one('finance'),
    agents: people.filter((p) => p.role === 'agent'),
    logisticsLead: people.find((p) => p.id === logistics.lead_user_id)!,
    teams: { support: team('Support').id, highValue: team('HighValue').id, logistics: logistics.id },
  }
}

/** `@[Name](id)`: a mention that notifies the person and makes them a follower. */
export const mention = (p: Person) => `@[${p.name}](${p.id})`
