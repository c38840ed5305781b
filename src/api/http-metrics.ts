// Request counts and latency of an HTTP listener, by route pattern (never by raw URL: that
// would be unbounded) and status: witan_http_requests_total{route,status} and the histogram
// witan_http_request_duration_seconds{route}.
//
// Counted as plain numbers per route and turned into Prometheus values only when scraped.
// prom-client's Counter and Histogram, given labels, validate them and build a label string
// to look the series up on every observation: about 0.4 µs a request for the two, where this
// costs a map lookup and a few additions. prom-client has no way to set a histogram's buckets,
// so both are handed to the registry as metrics of our own: an object with a name, help, type
// and a get() returning the values, which is what a Registry reads of every metric (and
// formats as it formats its own).

import type { FastifyInstance } from 'fastify';
import type { Metric, Registry } from 'prom-client';

export const HTTP_REQUESTS_METRIC = 'witan_http_requests_total';
export const HTTP_DURATION_METRIC = 'witan_http_request_duration_seconds';
/** Upper bounds of the latency buckets, seconds. */
export const HTTP_DURATION_BUCKETS_S: readonly number[] = [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5];
/** The route label of requests no route matched (answered 404, or refused before routing). */
export const UNMATCHED_ROUTE = 'unmatched';

/** Series of a metric as a Registry formats them: `metricName{labels} value`. */
type Values = { labels: Record<string, string | number>; value: number; metricName: string }[];

/** One route's answers. Statuses are those the server sent (a few per route). */
class RouteTally {
  readonly byStatus = new Map<number, number>();
  /** Observations per bucket, not cumulative; the last slot counts those above every bound. */
  readonly buckets = new Float64Array(HTTP_DURATION_BUCKETS_S.length + 1);
  sumS = 0;
  count = 0;
}

/**
 * The tallies of every route, keyed by route pattern: at most one per route the server has,
 * plus UNMATCHED_ROUTE.
 */
export class HttpTallies {
  readonly #routes = new Map<string, RouteTally>();

  record(route: string, status: number, durationS: number): void {
    let tally = this.#routes.get(route);
    if (tally === undefined) {
      tally = new RouteTally();
      this.#routes.set(route, tally);
    }
    tally.byStatus.set(status, (tally.byStatus.get(status) ?? 0) + 1);
    let bucket = 0;
    while (bucket < HTTP_DURATION_BUCKETS_S.length && durationS > HTTP_DURATION_BUCKETS_S[bucket]!) bucket++;
    tally.buckets[bucket]!++;
    tally.sumS += durationS;
    tally.count++;
  }

  requestValues(): Values {
    const values: Values = [];
    for (const [route, tally] of this.#routes)
      for (const [status, n] of tally.byStatus)
        values.push({
          labels: { route, status: String(status) },
          value: n,
          metricName: HTTP_REQUESTS_METRIC,
        });
    return values;
  }

  /** Cumulative buckets (le), then +Inf, sum and count per route, as Prometheus reads a histogram. */
  durationValues(): Values {
    const values: Values = [];
    for (const [route, tally] of this.#routes) {
      let cumulative = 0;
      HTTP_DURATION_BUCKETS_S.forEach((le, i) => {
        cumulative += tally.buckets[i]!;
        values.push({
          labels: { le, route },
          value: cumulative,
          metricName: `${HTTP_DURATION_METRIC}_bucket`,
        });
      });
      values.push(
        { labels: { le: '+Inf', route }, value: tally.count, metricName: `${HTTP_DURATION_METRIC}_bucket` },
        { labels: { route }, value: tally.sumS, metricName: `${HTTP_DURATION_METRIC}_sum` },
        { labels: { route }, value: tally.count, metricName: `${HTTP_DURATION_METRIC}_count` },
      );
    }
    return values;
  }

  reset(): void {
    this.#routes.clear();
  }
}

/** A metric as a Registry reads it: name, help, type, and its values at the time of a scrape. */
function registryMetric(
  tallies: HttpTallies,
  name: string,
  help: string,
  type: 'counter' | 'histogram',
  values: () => Values,
): Metric {
  const metric = {
    name,
    help,
    type,
    aggregator: 'sum',
    get: async () => ({ name: metric.name, help, type, aggregator: 'sum', values: values() }),
    reset: () => tallies.reset(),
  };
  // A Registry reads only these fields of a metric; prom-client's type names only its own
  // classes (and types `type` as an enum where the classes set a string).
  return metric as unknown as Metric;
}

/**
 * Counts every answer of `app` (routes, 404s, and refusals by the hooks) in `registry`; the
 * tallies returned count the ready answers sent before fastify too (ready-answers.ts).
 */
export function installHttpMetrics(app: FastifyInstance, registry: Registry): HttpTallies {
  const tallies = new HttpTallies();
  registry.registerMetric(
    registryMetric(
      tallies,
      HTTP_REQUESTS_METRIC,
      'HTTP requests answered, by route and status',
      'counter',
      () => tallies.requestValues(),
    ),
  );
  registry.registerMetric(
    registryMetric(tallies, HTTP_DURATION_METRIC, 'HTTP request latency by route', 'histogram', () =>
      tallies.durationValues(),
    ),
  );
  // A callback hook, as the other per-request hooks: an async one costs a promise per request.
  app.addHook('onResponse', (request, reply, done) => {
    tallies.record(request.routeOptions.url ?? UNMATCHED_ROUTE, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  return tallies;
}
