// The read-only dashboard (docs/operating-a-root.md "The dashboard"): the page at /ui and its
// files at /ui/<version>/<file>, from the repository's ui/ folder — plain ES modules the
// browser loads as they are, no build step.
//
// The folder is read once, when the routes are registered, into memory: only the files below
// are ever served, looked up by exact name in a Map, so no request path reaches the disk (a
// `..` or an encoded slash simply names no file). The version is a hash of every file, so a
// file's URL changes whenever any file does: assets are cached for a year as immutable, and
// the page itself, which names the version, is revalidated on every visit.
//
// The page's Content-Security-Policy allows scripts, styles and images from this root only,
// no inline script or style, and `connect-src` to this root and to the HTTP origins of the
// members of the world in force — the roots the dashboard reads. The world is known here when
// the header is built, so the list is exact; it is rebuilt when the world changes (a page
// loaded before then asks its reader to reload to reach a new root).

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { CodedError } from '../base/index.ts';
import type { World } from '../governance/index.ts';
import { URL_QUOTED_CHARS_MAX } from './server.ts';

/** The repository's ui/ folder. */
export const UI_DIR = fileURLToPath(new URL('../../ui/', import.meta.url));
/** Where the page is served; its files are under `${UI_PATH}/<version>/`. */
export const UI_PATH = '/ui';
/** Files the dashboard ships (it has about a dozen); more means the folder is not the dashboard's. */
export const UI_FILES_MAX = 64;
/** Bytes of all its files together, held in memory by every root. */
export const UI_BYTES_MAX = 1024 * 1024;
/** Hex digits of the content hash that names a version: 64 bits, no accidental reuse. */
export const UI_VERSION_HEX_CHARS = 16;
/** A versioned file never changes under its URL. */
export const UI_ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** The page names the current version and carries the world's CSP: revalidated on every visit. */
export const UI_PAGE_CACHE_CONTROL = 'no-cache';
/** The page's template; every `{{version}}` in it becomes the version. */
export const UI_PAGE_FILE = 'index.html';
const VERSION_MARK = /\{\{version\}\}/g;

/** Files served besides the page, by extension; anything else in the folder is not served. */
export const UI_CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Headers on every dashboard answer, besides the CSP. */
export const UI_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

export class UiBundleError extends CodedError<'UI_BUNDLE_INVALID'> {
  constructor(message: string) {
    super('UI_BUNDLE_INVALID', message);
  }
}

/** The dashboard's files in memory: the page (version filled in) and the assets by file name. */
export interface UiBundle {
  version: string;
  page: Buffer;
  assets: ReadonlyMap<string, { body: Buffer; contentType: string }>;
}

/** What the dashboard's routes need from the root: the world in force, for the CSP. */
export interface UiView {
  state(): { world: World; worldHash: string };
}

/** Reads the dashboard folder: its page and the files it may serve, within the bounds above. */
export function loadUiBundle(dir: string = UI_DIR): UiBundle {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && (e.name === UI_PAGE_FILE || extname(e.name) in UI_CONTENT_TYPES))
      .map((e) => e.name)
      .sort();
  } catch (err) {
    throw new UiBundleError(
      `cannot read the dashboard folder ${dir}: ${(err as Error).message}; reinstall witan so that its ui/ folder is present`,
    );
  }
  if (!names.includes(UI_PAGE_FILE)) {
    throw new UiBundleError(
      `${dir} has no ${UI_PAGE_FILE}; reinstall witan so that its ui/ folder is complete`,
    );
  }
  if (names.length > UI_FILES_MAX) {
    throw new UiBundleError(
      `${dir} holds ${names.length} dashboard files; at most ${UI_FILES_MAX} are served`,
    );
  }
  const files = new Map(names.map((name) => [name, readFileSync(join(dir, name))]));
  const bytes = [...files.values()].reduce((sum, b) => sum + b.length, 0);
  if (bytes > UI_BYTES_MAX) {
    throw new UiBundleError(
      `${dir} holds ${bytes} bytes of dashboard files; at most ${UI_BYTES_MAX} are served`,
    );
  }
  const hash = createHash('sha256');
  for (const [name, body] of files) hash.update(`${name}\0${body.length}\0`).update(body);
  const version = hash.digest('hex').slice(0, UI_VERSION_HEX_CHARS);
  const assets = new Map<string, { body: Buffer; contentType: string }>();
  for (const [name, body] of files) {
    if (name !== UI_PAGE_FILE) assets.set(name, { body, contentType: UI_CONTENT_TYPES[extname(name)]! });
  }
  const page = Buffer.from(files.get(UI_PAGE_FILE)!.toString('utf8').replace(VERSION_MARK, version), 'utf8');
  return { version, page, assets };
}

/** The HTTP origins of the world's members, sorted and without repeats: the roots the page reads. */
export function rootOrigins(world: World): string[] {
  const origins = new Set<string>();
  for (const m of world.members) {
    for (const url of m.endpoints.http) {
      // The world's URLs are parsed as normalised http(s) URLs (governance model.ts); an origin
      // holds no space, comma or semicolon, so it cannot end the directive early.
      const { protocol, origin } = new URL(url);
      if (protocol === 'http:' || protocol === 'https:') origins.add(origin);
    }
  }
  return [...origins].sort();
}

/** The dashboard's Content-Security-Policy, reading this root and the given origins. */
export function contentSecurityPolicy(connectOrigins: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    ['connect-src', "'self'", ...connectOrigins].join(' '),
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
  ].join('; ');
}

/** Fastify plugin: GET /ui (the page) and GET /ui/<version>/<file>; `bundle` defaults to ui/. */
export async function uiRoutes(
  app: FastifyInstance,
  opts: { view: UiView; bundle?: UiBundle },
): Promise<void> {
  const bundle = opts.bundle ?? loadUiBundle();
  let policy = { worldHash: '', csp: '', etag: '' };
  const currentPolicy = () => {
    const { world, worldHash } = opts.view.state();
    if (policy.worldHash !== worldHash) {
      const csp = contentSecurityPolicy(rootOrigins(world));
      const tag = createHash('sha256').update(csp).digest('hex').slice(0, UI_VERSION_HEX_CHARS);
      policy = { worldHash, csp, etag: `"${bundle.version}-${tag}"` };
    }
    return policy;
  };
  const secure = (reply: FastifyReply, csp: string) =>
    reply.headers(UI_SECURITY_HEADERS).header('content-security-policy', csp);

  app.get(UI_PATH, { schema: { hide: true } }, async (req, reply) => {
    const { csp, etag } = currentPolicy();
    secure(reply, csp).header('cache-control', UI_PAGE_CACHE_CONTROL).header('etag', etag);
    if (req.headers['if-none-match'] === etag) return reply.status(304).send();
    return reply.type('text/html; charset=utf-8').send(bundle.page);
  });

  // The page's URLs are relative to /ui; at /ui/ they would resolve one level too deep.
  app.get(`${UI_PATH}/`, { schema: { hide: true } }, async (_req, reply) => reply.redirect('../ui', 308));

  app.get<{ Params: { version: string; file: string } }>(
    `${UI_PATH}/:version/:file`,
    { schema: { hide: true } },
    async (req, reply) => {
      const asset = req.params.version === bundle.version ? bundle.assets.get(req.params.file) : undefined;
      if (asset === undefined) {
        return reply.status(404).send({
          code: 'NOT_FOUND',
          message: `no dashboard file ${req.url.slice(0, URL_QUOTED_CHARS_MAX)}; load the page at ${UI_PATH} again`,
        });
      }
      return secure(reply, currentPolicy().csp)
        .header('cache-control', UI_ASSET_CACHE_CONTROL)
        .type(asset.contentType)
        .send(asset.body);
    },
  );
}
