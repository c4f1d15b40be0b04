import { describe, expect, it } from 'vitest'
import { startTestApp } from '../../test/harness.js'

const { app, m, other, call } = await startTestApp({ other: true })

const exportOf = async (key = m.keys.admin) => {
  const res = await app.inject({
    method: 'GET',
    url: '/api/v1/rules/export',
    headers: { authorization: `Bearer ${key}` },
  })
  expect(res.statusCode, res.body).toBe(200)
  return res
}
const importFile = (text: string, query = '', key = m.keys.admin, contentType = 'text/plain; charset=utf-8') =>
  app.inject({
    method: 'POST',
    url: `/api/v1/rules/import${query}`,
    headers: { authorization: `Bearer ${key}`, 'content-type': contentType },
    payload: text,
  })

const tricky = {
  name: 'Tricky: spaces, "quotes" and \\ slashes',
  description: 'Two lines:\nthe second with a \\n that is not a newline\r\nand a CRLF',
  source: "IF case_type = 'Damaged'\n  AND priority = 'High'\nTHEN add_tag('fragile').\n",
  mode: 'disabled',
  priority: 7,
  stop_processing: true,
}

describe('the rules file', () => {
  it('round-trips exactly: export, import (changing nothing), export again gives the same bytes', async () => {
    expect((await call('POST', '/rules', tricky)).statusCode).toBe(201)
    const first = await exportOf()
    expect(first.headers['content-type']).toBe('text/plain; charset=utf-8')
    expect(first.headers['content-disposition']).toContain('rules.txt')
    expect(first.body).toContain(`# name: ${tricky.name}\n# description: Two lines:\\nthe second with a \\\\n`)
    expect(first.body).toContain(`# mode: disabled\n# stop-processing: true\n${tricky.source}\n\n`)

    const again = await importFile(first.body)
    expect(again.statusCode, again.body).toBe(200)
    expect(again.json()).toMatchObject({ created: [], updated: [], deleted: [], dry_run: false })
    expect(again.json().unchanged).toContain(tricky.name)
    expect((await exportOf()).body).toBe(first.body)

    // Into another workspace, replacing what it had: the same file comes back out.
    const into = await importFile(first.body, '?replace=true', other.keys.admin)
    expect(into.statusCode, into.body).toBe(200)
    expect(into.json().created).toEqual([tricky.name])
    expect((await exportOf(other.keys.admin)).body).toBe(first.body)
    const theirs = (await call('GET', '/rules', undefined, other.keys.admin)).json().data
    expect(theirs.find((r: { name: string }) => r.name === tricky.name)).toMatchObject({
      description: tricky.description,
      source: tricky.source,
      mode: 'disabled',
      priority: 7,
      stop_processing: true,
    })
  })

  it('merges by name: creates, versions a changed source, updates settings alone, and replace deletes the rest', async () => {
    const base = (await exportOf()).body
    const [head, ...blocks] = base.split(/(?=^# name: )/m)
    const edited =
      head! +
      blocks
        .filter((b) => !b.startsWith('# name: Route high-value electronics'))
        .map((b) =>
          b.startsWith('# name: Carrier connection alert')
            ? b.replace('# priority: 40', '# priority: 45')
            : b.startsWith(`# name: ${tricky.name}`)
              ? b.replace("add_tag('fragile')", "add_tag('handle-with-care')")
              : b,
        )
        .join('') +
      "# name: New one\n# mode: shadow\nIF case_type = 'Damaged' THEN add_tag('new').\n\n"

    const dry = await importFile(edited, '?replace=true&dry_run=true')
    expect(dry.statusCode, dry.body).toBe(200)
    expect(dry.json()).toMatchObject({
      created: ['New one'],
      updated: [tricky.name, 'Carrier connection alert'],
      deleted: ['Route high-value electronics'],
      dry_run: true,
    })
    expect((await exportOf()).body).toBe(base)

    const merged = await importFile(edited, '?replace=true')
    expect(merged.json()).toEqual({ ...dry.json(), dry_run: false })
    const rules = (await call('GET', '/rules')).json().data as { name: string; version: number; priority: number }[]
    const byName = new Map(rules.map((r) => [r.name, r]))
    expect(byName.get(tricky.name)?.version).toBe(2)
    expect(byName.get('Carrier connection alert')).toMatchObject({ version: 1, priority: 45 })
    expect(byName.has('Route high-value electronics')).toBe(false)
    expect(byName.get('New one')).toMatchObject({ version: 1 })

    // Without replace, rules the file leaves out stay.
    const partial = await importFile("# name: Only this\nIF case_type = 'Damaged' THEN add_tag('x').\n")
    expect(partial.json()).toMatchObject({ created: ['Only this'], deleted: [] })
    expect((await call('GET', '/rules')).json().data.length).toBe(rules.length + 1)
  })

  it('refuses a malformed file whole, with the line and column of each problem', async () => {
    const before = (await exportOf()).body
    const file = [
      'stray text', // 1
      '# name: A', // 2
      '# mode: loud', // 3
      '# colour: red', // 4
      "IF case_type = 'Damaged' THEN add_tag('a').", // 5
      '', // 6
      '# name: a', // 7
      "IF case_type = 'Damaged' THEN add_tag('b').", // 8
      '', // 9
      '# name: Empty', // 10
      '', // 11
    ].join('\n')
    const res = await importFile(file)
    expect(res.statusCode, res.body).toBe(422)
    expect(res.json().error.code).toBe('rules_file_invalid')
    expect(res.json().error.details.problems.map((p: { line: number }) => p.line)).toEqual([1, 3, 4, 7, 11])
    expect((await exportOf()).body).toBe(before)
  })

  it('refuses a rule that does not compile at its place in the file, and imports none of the others', async () => {
    const before = (await exportOf()).body
    const file =
      "# name: Fine\nIF case_type = 'Damaged' THEN add_tag('a').\n\n" +
      "# name: Broken\n# priority: 3\nIF case_type = 'Damaged'\nTHEN explode('now').\n\n"
    const res = await importFile(file)
    expect(res.statusCode, res.body).toBe(422)
    expect(res.json().error).toMatchObject({
      code: 'rules_file_invalid',
      details: { problems: [{ line: 7, column: 6, rule: 'Broken' }] },
    })
    expect((await exportOf()).body).toBe(before)
  })

  it('takes only text/plain, and only from rules.manage', async () => {
    const json = await importFile('{}', '', m.keys.admin, 'application/json')
    expect([json.statusCode, json.json().error.code]).toEqual([415, 'unsupported_media_type'])
    const agent = await importFile("# name: X\nIF a = 1 THEN add_tag('x').\n", '', m.keys.agent)
    expect([agent.statusCode, agent.json().error.code]).toEqual([403, 'forbidden'])
    expect((await exportOf(m.keys.viewer)).statusCode).toBe(200)
  })
})
