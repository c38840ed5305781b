// The dashboard's routes through fastify.inject(), with the repository's real ui/ folder: the
// page and its files with their content types, cache and security headers; the CSP naming the
// world's roots and following the world; nothing outside the bundle reachable, however the
// path is spelled; the bundle's bounds; and the folder shipping in the npm package.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApiServer } from '../../src/api/server.ts';
import {
  contentSecurityPolicy,
  loadUiBundle,
  rootOrigins,
  UI_ASSET_CACHE_CONTROL,
  UI_CONTENT_TYPES,
  UI_DIR,
  UI_FILES_MAX,
  UI_PAGE_CACHE_CONTROL,
  UI_PAGE_FILE,
  UI_SECURITY_HEADERS,
  UiBundleError,
  type UiView,
  uiRoutes,
} from '../../src/api/ui-routes.ts';
import { type World, worldHash } from '../../src/governance/index.ts';
import { makeGenesis } from '../governance/fixtures.ts';

const REPO = join(import.meta.dirname, '..', '..');
const base = {
  bodyBytesMax: 2048,
  requestsPerMinute: 1000,
  requestTimeoutMs: 5000,
  eventLoopDelayMaxMs: 1000,
};

/** A view whose world the test can replace, as a commit replaces the root's. */
class WorldView implements UiView {
  world: World = makeGenesis(4).world;
  state() {
    return { world: this.world, worldHash: worldHash(this.world) };
  }
}

async function server(t: TestContext, view: UiView = new WorldView()): Promise<FastifyInstance> {
  const app = await buildApiServer({ ...base, docs: false, readOnlyCors: true });
  await app.register(uiRoutes, { view });
  t.after(() => app.close());
  return app;
}

/** The versioned file URLs the page loads (its script, stylesheet and icon). */
function assetUrls(page: string): string[] {
  return [...page.matchAll(/(?:src|href)="(ui\/[0-9a-f]+\/[^"]+)"/g)].map((m) => `/${m[1]}`);
}

test('/ui is the page: HTML, revalidated on every visit, with the CSP and the security headers', async (t) => {
  const app = await server(t);
  const res = await app.inject('/ui');
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(res.headers['cache-control'], UI_PAGE_CACHE_CONTROL);
  for (const [name, value] of Object.entries(UI_SECURITY_HEADERS))
    assert.equal(res.headers[name], value, name);
  const csp = String(res.headers['content-security-policy']);
  for (const directive of [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ]) {
    assert.ok(csp.split('; ').includes(directive), `${directive} in ${csp}`);
  }
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
  const connect = csp.split('; ').find((d) => d.startsWith('connect-src '));
  assert.equal(
    connect,
    "connect-src 'self' https://m00.example.org https://m01.example.org https://m02.example.org https://m03.example.org",
  );
  // No inline script or style in the page itself: the policy would refuse it.
  assert.doesNotMatch(res.body, /<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=/i);
  const version = loadUiBundle().version;
  assert.deepEqual(assetUrls(res.body).sort(), [
    `/ui/${version}/app.js`,
    `/ui/${version}/icon.svg`,
    `/ui/${version}/style.css`,
  ]);
  const etag = String(res.headers.etag);
  const again = await app.inject({ url: '/ui', headers: { 'if-none-match': etag } });
  assert.equal(again.statusCode, 304);
  assert.equal(again.body, '');
  assert.equal(again.headers['content-security-policy'], csp);
});

test('every file the page loads, and every module those import, is served with its type and cached for a year', async (t) => {
  const app = await server(t);
  const bundle = loadUiBundle();
  const page = (await app.inject('/ui')).body;
  const served = new Set<string>();
  const queue = assetUrls(page);
  for (let i = 0; i < queue.length; i++) {
    const url = queue[i]!;
    if (served.has(url)) continue;
    served.add(url);
    const res = await app.inject(url);
    assert.equal(res.statusCode, 200, url);
    const ext = url.slice(url.lastIndexOf('.'));
    assert.equal(res.headers['content-type'], UI_CONTENT_TYPES[ext], url);
    assert.equal(res.headers['cache-control'], UI_ASSET_CACHE_CONTROL, url);
    assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
    assert.ok(String(res.headers['content-security-policy']).includes("default-src 'self'"), url);
    // Modules import their neighbours by relative path: they resolve under the same version.
    if (ext === '.js') {
      for (const m of res.body.matchAll(/^import [^;]*?from '\.\/([a-z-]+\.js)';$/gm))
        queue.push(`/ui/${bundle.version}/${m[1]}`);
    }
  }
  assert.ok(served.size >= 10, `only ${served.size} files reached from the page`);
  const head = await app.inject({ method: 'HEAD', url: `/ui/${bundle.version}/app.js` });
  assert.equal(head.statusCode, 200);
  assert.equal(head.headers['content-type'], UI_CONTENT_TYPES['.js']);
});

test('a file under another version is not served, so a cached page never mixes two versions', async (t) => {
  const app = await server(t);
  const res = await app.inject('/ui/0123456789abcdef/app.js');
  assert.equal(res.statusCode, 404);
  assert.equal(res.json().code, 'NOT_FOUND');
  assert.match(res.json().message, /load the page at \/ui again/);
});

test('no path reaches a file outside the bundle: dot segments, encoded slashes, files not served', async (t) => {
  const app = await server(t);
  const { version } = loadUiBundle();
  const attempts = [
    `/ui/${version}/../../package.json`,
    `/ui/${version}/..%2F..%2Fpackage.json`,
    `/ui/${version}/%2e%2e%2f%2e%2e%2fpackage.json`,
    `/ui/${version}/..%5c..%5cpackage.json`,
    `/ui/..%2F..%2Fpackage.json/app.js`,
    `/ui/${version}/%2Fetc%2Fpasswd`,
    `/ui/${version}/tsconfig.json`,
    `/ui/${version}/types.d.ts`,
    `/ui/${version}/${UI_PAGE_FILE}`,
    `/ui/${version}/app.js%00.svg`,
  ];
  for (const url of attempts) {
    const res = await app.inject(url);
    assert.equal(res.statusCode, 404, url);
    assert.doesNotMatch(res.body, /"devDependencies"|root:x:0|"compilerOptions"/, url);
  }
});

test("/ui/ sends the reader to /ui, where the page's relative URLs resolve", async (t) => {
  const app = await server(t);
  const res = await app.inject('/ui/');
  assert.equal(res.statusCode, 308);
  assert.equal(res.headers.location, '../ui');
  assert.equal(new URL(res.headers.location, 'http://root.example/ui/').pathname, '/ui');
});

test("the CSP follows the world: a member's new endpoint is allowed once the world names it", async (t) => {
  const view = new WorldView();
  const app = await server(t, view);
  const before = await app.inject('/ui');
  const next = structuredClone(view.world);
  next.version = 2;
  next.members[0]!.endpoints.http = ['https://m00.example.org/', 'http://127.0.0.1:8480/'];
  view.world = next;
  const after = await app.inject('/ui');
  assert.match(
    String(after.headers['content-security-policy']),
    /connect-src 'self' http:\/\/127\.0\.0\.1:8480 https:\/\/m00/,
  );
  assert.notEqual(after.headers.etag, before.headers.etag);
  const stale = await app.inject({ url: '/ui', headers: { 'if-none-match': String(before.headers.etag) } });
  assert.equal(stale.statusCode, 200);
});

test("origins in the CSP are the origins of the world's URLs: a path cannot add a directive", () => {
  const world = structuredClone(makeGenesis(4).world);
  world.members[1]!.endpoints.http = [
    'https://m01.example.org/a;script-src*/',
    'https://m01.example.org:8443/witan',
  ];
  const origins = rootOrigins(world);
  assert.ok(origins.includes('https://m01.example.org'));
  assert.ok(origins.includes('https://m01.example.org:8443'));
  const csp = contentSecurityPolicy(origins);
  assert.equal(csp.split(';').length, 10);
  assert.doesNotMatch(csp, /script-src\*/);
});

test('the bundle is bounded and named by its content', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'witan-ui-bundle-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.throws(() => loadUiBundle(join(dir, 'missing')), UiBundleError);
  assert.throws(() => loadUiBundle(dir), /no index\.html/);
  writeFileSync(join(dir, UI_PAGE_FILE), '<script type="module" src="ui/{{version}}/a.js"></script>');
  writeFileSync(join(dir, 'a.js'), 'export const a = 1;\n');
  writeFileSync(join(dir, 'notes.txt'), 'not served');
  const first = loadUiBundle(dir);
  assert.deepEqual([...first.assets.keys()], ['a.js']);
  assert.equal(first.page.toString(), `<script type="module" src="ui/${first.version}/a.js"></script>`);
  writeFileSync(join(dir, 'a.js'), 'export const a = 2;\n');
  assert.notEqual(loadUiBundle(dir).version, first.version);
  for (let i = 0; i < UI_FILES_MAX; i++) writeFileSync(join(dir, `f${i}.css`), '');
  assert.throws(
    () => loadUiBundle(dir),
    (err: UiBundleError) => {
      assert.equal(err.code, 'UI_BUNDLE_INVALID');
      assert.match(err.message, new RegExp(`at most ${UI_FILES_MAX}`));
      return true;
    },
  );
});

test('the dashboard folder ships in the npm package', () => {
  const packed = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: REPO,
    encoding: 'utf8',
  });
  assert.equal(packed.status, 0, packed.stderr);
  const files = new Set(
    (JSON.parse(packed.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path),
  );
  const bundle = loadUiBundle();
  for (const name of [UI_PAGE_FILE, ...bundle.assets.keys()])
    assert.ok(files.has(`ui/${name}`), `ui/${name} is packed`);
  assert.deepEqual(
    readdirSync(UI_DIR).filter((f) => f === UI_PAGE_FILE || bundle.assets.has(f)).length,
    bundle.assets.size + 1,
  );
});
