// Plain HTTP to a root for tests, with a time bound on every request. Tests talk to roots the
// way any client would (fetch), so what they see is what the API serves.

/** One HTTP request to a root; a root that does not answer by then counts as down. */
export const REQUEST_TIMEOUT_MS = 3_000;

export async function getText(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return res.text();
}

export async function getJson<T = unknown>(url: string): Promise<T> {
  return JSON.parse(await getText(url)) as T;
}

/** POSTs a body; resolves with the status and the answer (parsed when it is JSON), never throws on 4xx/5xx. */
export async function post(
  url: string,
  body: string | Uint8Array,
  contentType = 'application/json',
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': contentType },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: kept as text for the assertion message
  }
  return { status: res.status, body: parsed };
}

/** The sum of the Prometheus samples called `name` whose labels include `labels`, in a /metrics text (0 when none). */
export function metricValue(metrics: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of metrics.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const have = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total += Number(m[3]);
  }
  return total;
}
