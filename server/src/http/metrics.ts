import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

export type Metrics = {
  registry: Registry
  httpDuration: Histogram<'method' | 'route' | 'status_code'>
  counter: (name: string, help: string, labels?: string[]) => Counter<string>
  histogram: (name: string, help: string, labels: string[], buckets: number[]) => Histogram<string>
}

/** One registry per app instance, so several apps in one test process never clash. */
export function createMetrics(): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'claimdesk_' })
  const httpDuration = new Histogram({
    name: 'claimdesk_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    registers: [registry],
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  })
  const counters = new Map<string, Counter<string>>()
  const counter = (name: string, help: string, labels: string[] = []) => {
    let c = counters.get(name)
    if (!c) {
      c = new Counter({ name: `claimdesk_${name}`, help, labelNames: labels, registers: [registry] })
      counters.set(name, c)
    }
    return c
  }
  const histograms = new Map<string, Histogram<string>>()
  const histogram = (name: string, help: string, labels: string[], buckets: number[]) => {
    let h = histograms.get(name)
    if (!h) {
      h = new Histogram({ name: `claimdesk_${name}`, help, labelNames: labels, buckets, registers: [registry] })
      histograms.set(name, h)
    }
    return h
  }
  return { registry, httpDuration, counter, histogram }
}
