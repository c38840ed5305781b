import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpClient, normalizeRootUrl, RootClient } from '../../src/audit/fetch.ts';
import { formatProgress } from '../../src/audit/progress.ts';

function fakeFetch(answers: (() => Response | Promise<Response>)[]) {
  const calls: string[] = [];
  const fetch = async (url: string) => {
    calls.push(url);
    const next = answers.shift();
    if (next === undefined) throw new Error('no more answers');
    return next();
  };
  return { fetch, calls };
}

test('5xx and network errors are retried with backoff; 4xx is final', async () => {
  const f = fakeFetch([
    () => new Response('busy', { status: 503 }),
    () => Promise.reject(new TypeError('fetch failed')),
    () => new Response('hello'),
  ]);
  const http = new HttpClient({ fetch: f.fetch, backoffMs: 1, attemptsMax: 3 });
  assert.equal(await http.getText('http://r/x', 100), 'hello');
  assert.equal(f.calls.length, 3);
  const g = fakeFetch([() => new Response('no', { status: 404 }), () => new Response('never')]);
  await assert.rejects(new HttpClient({ fetch: g.fetch, backoffMs: 1 }).getText('http://r/y', 100), {
    code: 'HTTP_STATUS',
  });
  assert.equal(g.calls.length, 1);
});

test('bodies over their cap are refused, declared or streamed', async () => {
  const big = new Uint8Array(9000);
  const declared = fakeFetch([() => new Response(big, { headers: { 'content-length': '9000' } })]);
  const client = new RootClient('http://r/', new HttpClient({ fetch: declared.fetch }));
  await assert.rejects(client.tile(0, 0, 256), { code: 'TOO_LARGE' });
  const stream = new ReadableStream({
    pull(c) {
      c.enqueue(new Uint8Array(4096));
    },
  });
  const streamed = fakeFetch([() => new Response(stream)]);
  await assert.rejects(new HttpClient({ fetch: streamed.fetch }).getBytes('http://r/z', 10_000), {
    code: 'TOO_LARGE',
  });
  const short = fakeFetch([() => new Response(new Uint8Array(31))]);
  await assert.rejects(new RootClient('http://r', new HttpClient({ fetch: short.fetch })).tile(0, 0, 1), {
    code: 'BAD_RESPONSE',
  });
});

test('a request that does not answer in time is a TIMEOUT after every try', async () => {
  const hang = (_url: string, init?: RequestInit) =>
    new Promise<Response>((_resolve, reject) => {
      init?.signal?.addEventListener('abort', () => reject(new Error('aborted')));
    });
  const http = new HttpClient({ fetch: hang, timeoutMs: 20, attemptsMax: 2, backoffMs: 1 });
  await assert.rejects(http.getText('http://r/slow', 10), { code: 'TIMEOUT' });
});

test('root URLs are normalized; other schemes are refused', () => {
  assert.equal(normalizeRootUrl('http://127.0.0.1:8080/'), 'http://127.0.0.1:8080');
  assert.equal(normalizeRootUrl('https://root.example.org/witan//'), 'https://root.example.org/witan');
  assert.throws(() => normalizeRootUrl('file:///etc/passwd'), { code: 'BAD_ARGUMENT' });
  assert.throws(() => normalizeRootUrl('not a url'), { code: 'BAD_ARGUMENT' });
});

test('the progress line shows percentage, rate and ETA', () => {
  assert.equal(
    formatProgress('entries', 500, 1000, 2000),
    `entries [${'#'.repeat(15)}${'.'.repeat(15)}] 50% 500/1000 250/s ETA 2s`,
  );
  assert.match(formatProgress('entries', 10, 100_000, 1000), /ETA 166m39s$/);
});
