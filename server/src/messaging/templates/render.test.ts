import { describe, expect, it } from 'vitest'
import { checkLinks } from './link-qa.js'
import { renderTemplate } from './render.js'
import { sampleVariables, templateVariables } from './variables.js'

const vars = {
  customer: { name: 'Alex <b>Morgan</b>', first_name: 'Alex' },
  order: { number: '#12345', lines: [{ name: 'Shoes', quantity: 1 }] },
  shipment: { tracking_url: null },
  links: { portal: 'https://claimdesk.example.com/portal/t' },
}
const allowed = ['claimdesk.example.com', 'ups.com']

describe('renderTemplate', () => {
  it('renders the three parts, escaping every output in the HTML part only', () => {
    const r = renderTemplate(
      { subject: 'Order {{ order.number }}', text: 'Hi {{ customer.name }}', html: '<p>Hi {{ customer.name }}</p>' },
      vars,
    )
    expect(r).toEqual({
      subject: 'Order #12345',
      text: 'Hi Alex <b>Morgan</b>',
      html: '<p>Hi Alex &lt;b&gt;Morgan&lt;/b&gt;</p>',
      problems: [],
    })
  })

  it('reports an unknown variable as a problem instead of throwing, and still renders the rest', () => {
    const r = renderTemplate({ subject: 'x', text: 'Hi {{ customer.nmae }}, order {{ order.number }}' }, vars)
    expect(r.text).toBe('Hi , order #12345')
    expect(r.problems).toEqual([
      { code: 'undefined_variable', detail: expect.stringMatching(/^text: .*customer\.nmae/) },
    ])
  })

  it('reports unknown filters and syntax errors as invalid_template', () => {
    const r = renderTemplate({ subject: '{{ order.number | shout }}', text: '{% if x %}' }, vars)
    expect(r.problems.map((p) => p.code)).toEqual(['invalid_template', 'invalid_template'])
  })

  it('stops a runaway template at its limit', () => {
    const r = renderTemplate({ subject: 's', text: '{% for i in (1..100000000) %}xxxxxxxxxx{% endfor %}' }, vars)
    expect(r.problems.map((p) => p.code)).toEqual(['too_large'])
  })

  it('flags a link built from a variable that printed nothing', () => {
    const r = renderTemplate(
      {
        subject: 's',
        text: 'Track: {{ shipment.tracking_url }}',
        html: '<a href="{{ shipment.tracking_url }}">Track</a>',
      },
      vars,
    )
    expect(r.html).toBe('<a href="">Track</a>')
    expect(r.problems).toEqual([{ code: 'empty_variable', detail: 'html: a variable in a link is empty' }])
  })

  it('cannot read files through include or render', () => {
    const r = renderTemplate({ subject: 's', text: "{% include '/etc/passwd' %}" }, vars)
    expect(r.text).toBe('')
    expect(r.problems.map((p) => p.code)).toEqual(['invalid_template'])
  })

  it('renders the documented sample variables without problems', () => {
    const source = templateVariables
      .filter((v) => !v.name.includes('[]') && v.name !== 'order.lines')
      .map((v) => `{{ ${v.name} }}`)
      .join(' ')
    expect(renderTemplate({ subject: 's', text: source }, sampleVariables()).problems).toEqual([])
  })
})

describe('checkLinks', () => {
  const qa = (html: string, text = '') => checkLinks({ subject: 's', text, html }, allowed).map((p) => p.code)

  it('passes absolute https links to allowed hosts and their subdomains, and mailto', () => {
    expect(
      qa(
        '<a href="https://www.ups.com/track?x=1&amp;y=2">t</a> <a href="mailto:a@b.c">m</a>',
        'https://claimdesk.example.com/p.',
      ),
    ).toEqual([])
  })

  it('holds http, relative, foreign, unrendered and empty links', () => {
    expect(qa('<a href="http://ups.com/x">t</a>')).toEqual(['not_https'])
    expect(qa('<a href="/orders/1">t</a>')).toEqual(['relative'])
    expect(qa('<a href="https://evil.example/x">t</a>')).toEqual(['host_not_allowed'])
    expect(qa('<a href="https://ups.com.evil.example/x">t</a>')).toEqual(['host_not_allowed'])
    expect(qa('<a href="https://ups.com@evil.example/x">t</a>')).toEqual(['host_not_allowed'])
    expect(qa('<a href="javascript:alert(1)">t</a>')).toEqual(['not_https'])
    expect(qa('<p>{{ order.number }}</p>')).toEqual(['unrendered'])
    expect(qa('<p>{% if x %}</p>')).toEqual(['unrendered'])
    expect(qa('<a href="">t</a>')).toEqual(['empty_variable'])
    expect(qa('<a href="https:///orders">t</a>')).toEqual(['empty_variable'])
    expect(qa('', 'Visit www.ups.com')).toEqual(['relative'])
  })
})
