// The ledger over HTTP: C2SP tlog-tiles (https://c2sp.org/tlog-tiles) read paths, exactly —
//   GET /checkpoint                      the latest published signed checkpoint note
//   GET /tile/<L>/<N>[.p/<W>]            hash tiles
//   GET /tile/entries/<N>[.p/<W>]        entry bundles
// plus JSON conveniences (entries by range, inclusion and consistency proofs, RFC 9162) and
// POST /ledger/add-checkpoint (C2SP tlog-witness), passed through to a witness when one is given.
//
// Everything is answered from one snapshot of the latest published checkpoint: nothing past its
// tree is served, so a client that reads /checkpoint and then tiles always gets a tree that
// matches. Reads only; no route changes the ledger. Spec for outside readers: ledger/LEDGER.md.
//
// Tiles, bundles and the checkpoint are the hot read path (every verifier and mirror fetches
// them): they are kept as ready responses — body Buffer and header block — by request path, so
// a hit is one Map lookup and one write (bench/tiles-serving.ts measures it against nginx).

import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { fromBase64, fromHex, toBase64 } from '../codec/index.ts';
import { parseNote } from '../crypto/index.ts';
import {
  type Checkpoint,
  ENTRIES_RANGE_MAX,
  HASH_BYTES,
  parseCheckpoint,
  parseTilePath,
  TILE_WIDTH,
  tileWidthAt,
} from '../ledger/index.ts';
import type { LedgerStore } from '../ledger/store.ts';
import {
  ADD_CHECKPOINT_BODY_BYTES_MAX,
  type AddCheckpointRequest,
  parseAddCheckpointBody,
} from '../wire/index.ts';
import { type ChangeSignal, WAIT_MS_PATTERN, waitFor } from './change-signal.ts';
import { ApiError } from './errors.ts';
import { type ReadyAnswer, readyAnswersOf } from './ready-answers.ts';
import { bodyOf, responses } from './root-schemas.ts';
import {
  CHECKPOINT_MAX_AGE_S,
  DECIMAL_PATTERN,
  DEFAULT_CHECKPOINT_REFRESH_MS,
  FULL_TILE_CACHE_CONTROL,
  PARTIAL_TILE_MAX_AGE_S,
  READY_CACHE_BYTES_MAX,
  READY_CACHE_ENTRY_BYTES_MAX,
} from './tlog-constants.ts';

/**
 * The other side of POST /ledger/add-checkpoint: a C2SP tlog-witness. It gets only well-formed
 * requests (the route parses the body); its answer is sent as is.
 */
export type TlogWitness = {
  addCheckpoint(request: AddCheckpointRequest<Checkpoint>): Promise<{ status: number; body: string }>;
};

export type TlogRoutesOptions = {
  store: LedgerStore;
  /**
   * The latest signed checkpoint note to serve; default: the store's latest saved note, read
   * from memory. A synchronous source is answered from within the handler; an asynchronous one
   * costs a promise and a turn of the microtask queue per request.
   */
  checkpointNote?: () => string | undefined | Promise<string | undefined>;
  witness?: TlogWitness;
  /** How long one read of the published checkpoint is reused (0: read on every request). */
  checkpointRefreshMs?: number;
  /** Wakes `GET /checkpoint?after=&wait=` when a checkpoint is published; none: it never waits. */
  changes?: ChangeSignal;
};

type Published = { note: string; size: number; ready: Ready };
/** A response ready to write (ready-answers.ts), and the smallest tree size that holds it. */
type Ready = ReadyAnswer & { body: Buffer; treeSize: number };

const Decimal = Type.String({ pattern: DECIMAL_PATTERN });
const Base64 = Type.String();
const tags = ['ledger'];

const entriesSchema = {
  operationId: 'getLedgerEntries',
  tags,
  summary: 'Ledger entries [start, end) of the published tree, base64',
  querystring: Type.Object({ start: Decimal, end: Type.Optional(Decimal) }, { additionalProperties: false }),
  response: responses(
    { 200: Type.Object({ start: Type.Integer(), end: Type.Integer(), entries: Type.Array(Base64) }) },
    [400, 404],
  ),
};

const inclusionSchema = {
  operationId: 'getInclusionProof',
  tags,
  summary: 'RFC 9162 inclusion proof of a leaf, by index or by leaf hash (hex or base64)',
  querystring: Type.Object(
    {
      index: Type.Optional(Decimal),
      leafHash: Type.Optional(Type.String({ maxLength: 64 })),
      size: Type.Optional(Decimal),
    },
    { additionalProperties: false },
  ),
  response: responses(
    {
      200: Type.Object({
        index: Type.Integer(),
        size: Type.Integer(),
        leafHash: Base64,
        rootHash: Base64,
        proof: Type.Array(Base64),
      }),
    },
    [400, 404],
  ),
};

const consistencySchema = {
  operationId: 'getConsistencyProof',
  tags,
  summary: 'RFC 9162 consistency proof between two tree sizes',
  querystring: Type.Object({ from: Decimal, to: Type.Optional(Decimal) }, { additionalProperties: false }),
  response: responses(
    {
      200: Type.Object({
        from: Type.Integer(),
        to: Type.Integer(),
        fromRoot: Base64,
        toRoot: Base64,
        proof: Type.Array(Base64),
      }),
    },
    [400, 404],
  ),
};

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function pastTree(what: string, size: number): ApiError {
  return new ApiError(404, 'INDEX_OUT_OF_RANGE', `${what} is past the published tree of size ${size}`);
}

/** A leaf hash as 64 lowercase hex digits or canonical base64 (44 characters). */
function parseLeafHash(text: string): Uint8Array {
  try {
    return text.length === HASH_BYTES * 2 ? fromHex(text, HASH_BYTES) : fromBase64(text, HASH_BYTES);
  } catch {
    throw new ApiError(400, 'BAD_ENCODING', 'leafHash must be 32 bytes as lowercase hex or canonical base64');
  }
}

/**
 * Fastify plugin (encapsulated: register it with `app.register(tlogRoutes, options)`); its
 * content-type parsers and hooks stay inside it.
 */
export async function tlogRoutes(app: FastifyInstance, options: TlogRoutesOptions): Promise<void> {
  const { store, witness } = options;
  const readNote = options.checkpointNote ?? (() => store.latestCheckpointNote());
  const refreshMs = options.checkpointRefreshMs ?? DEFAULT_CHECKPOINT_REFRESH_MS;
  const readyCache = new ReadyCache();
  let cached: { at: number; published: Published | undefined } | undefined;
  let parsedNote: Published | undefined;

  // A query that breaks a route's schema (a leading zero, a sign, a missing parameter) is a
  // malformed query like any other: 400 BAD_QUERY (ledger/LEDGER.md §5).
  app.setSchemaErrorFormatter((errors, dataVar) => {
    const first = errors[0];
    const where = `${dataVar}${first?.instancePath ?? ''}`;
    return new ApiError(400, 'BAD_QUERY', `${where} ${first?.message ?? 'is malformed'}`);
  });

  /**
   * The published checkpoint of `note`: parsed, and its answer made, once per note (a commit),
   * then reused by every request while the note is unchanged.
   */
  function publishedOf(note: string | undefined, readAt: number): Published | undefined {
    let result: Published | undefined;
    if (note !== undefined) {
      if (parsedNote?.note !== note) {
        const size = publishedSize(note, store);
        const headers = {
          'content-type': 'text/plain; charset=utf-8',
          'cache-control': `public, max-age=${CHECKPOINT_MAX_AGE_S}`,
        };
        const body = Buffer.from(note, 'utf8');
        parsedNote = { note, size, ready: { status: 200, body, headers, treeSize: size } };
      }
      result = parsedNote;
    }
    if (refreshMs > 0) cached = { at: readAt, published: result };
    return result;
  }

  function treeOf(p: Published | undefined): Published {
    if (p === undefined) throw new ApiError(404, 'NOT_FOUND', 'no checkpoint has been published yet');
    return p;
  }

  /**
   * The published checkpoint now: the last read while it is younger than refreshMs (only a
   * refreshed source needs the clock), else a new read of the note — answered at once when the
   * source is synchronous (the store's memory), a promise when it is not.
   */
  function current(): Published | undefined | Promise<Published | undefined> {
    const now = refreshMs > 0 ? performance.now() : 0;
    if (cached !== undefined && now - cached.at < refreshMs) return cached.published;
    const note = readNote();
    return note instanceof Promise ? note.then((n) => publishedOf(n, now)) : publishedOf(note, now);
  }

  /** The published checkpoint, read at most once per refreshMs. */
  async function tree(): Promise<Published> {
    return treeOf(await current());
  }

  /**
   * Answers a read from the published tree: `answer` gets it (404 while none is published), and
   * what it throws or rejects with goes to the error handler. The hot reads (/checkpoint, tiles)
   * are handlers around this rather than async ones: with the note read from memory, a request
   * is answered before the handler returns, without a promise; awaiting it through tree() cost
   * four promises and their turns of the microtask queue.
   */
  function fromTree(reply: FastifyReply, answer: (tree: Published) => unknown): void {
    settle(reply, () => {
      const published = current();
      return published instanceof Promise
        ? published.then((p) => answer(treeOf(p)))
        : answer(treeOf(published));
    });
  }

  /** The ready answer of a tile or bundle path, if cached and held by the published tree of `size`. */
  function cachedTile(path: string, size: number): Ready | undefined {
    const hit = readyCache.get(path);
    // A cached path passed readTile's checks once; it stays valid while the tree holds it.
    return hit !== undefined && hit.treeSize <= size ? hit : undefined;
  }

  // The hot reads are answered before fastify too (ready-answers.ts), with the same answers,
  // when the note is read from the store's memory: an asynchronous source is left to the route.
  const ready = options.checkpointNote === undefined ? readyAnswersOf(app) : undefined;
  /** The published checkpoint now, as the route's next request would read it. */
  const publishedNow = (): Published | undefined => {
    const published = current();
    return published instanceof Promise ? undefined : published;
  };
  ready?.exact('/checkpoint', () => publishedNow()?.ready);
  ready?.under('/tile/', (path) => {
    const size = publishedNow()?.size;
    return size === undefined ? undefined : cachedTile(path, size);
  });

  app.get<{ Querystring: { after?: string; wait?: string } }>(
    '/checkpoint',
    {
      schema: {
        operationId: 'getCheckpoint',
        tags,
        summary: 'Latest signed checkpoint (C2SP tlog-checkpoint)',
        description:
          'With `after` (a tree size) and `wait` (milliseconds), answered once the published checkpoint is larger than `after`, or when the wait ends (at most a bound of the root, a few seconds) with the checkpoint then published: a long poll for the next commit instead of asking again and again. Without them, at once.',
        querystring: Type.Object({
          after: Type.Optional(Decimal),
          wait: Type.Optional(Type.String({ pattern: WAIT_MS_PATTERN })),
        }),
        response: responses(
          { 200: bodyOf('text/plain', 'the signed checkpoint note, cosigned by a quorum of members') },
          [400, 404],
        ),
      },
    },
    (req, reply) => {
      const send = () => fromTree(reply, (published) => sendReady(reply, published.ready));
      const { after, wait } = req.query;
      if (after === undefined || wait === undefined || options.changes === undefined) return send();
      const size = Number(after);
      void waitFor(options.changes, Number(wait), () => (publishedNow()?.size ?? -1) > size).then(send);
      return reply;
    },
  );

  app.get(
    '/tile/*',
    {
      schema: {
        operationId: 'getTile',
        tags,
        summary: 'Hash tiles and entry bundles (C2SP tlog-tiles)',
        response: responses(
          { 200: bodyOf('application/octet-stream', 'the tile or entry bundle', 'binary') },
          [400, 404],
        ),
      },
    },
    (req, reply) => {
      const query = req.url.indexOf('?');
      const path = query < 0 ? req.url : req.url.slice(0, query);
      fromTree(reply, ({ size }) => {
        const hit = cachedTile(path, size);
        return hit !== undefined ? sendReady(reply, hit) : readTile(reply, path, size);
      });
    },
  );

  /** A tile or bundle not in the ready cache: checked against the tree, read, cached, sent. */
  async function readTile(reply: FastifyReply, path: string, size: number): Promise<FastifyReply> {
    const tile = parseTilePath(path); // BAD_TILE_PATH (400) for every non-canonical spelling
    const level = tile.level === 'entries' ? 0 : tile.level;
    if (tileWidthAt(level, tile.index, size) < tile.width) {
      throw new ApiError(404, 'NOT_FOUND', `${path.slice(1)} is not in the published tree of size ${size}`);
    }
    const bytes =
      tile.level === 'entries'
        ? await store.entryBundle(tile.index, tile.width)
        : await store.tile(tile.level, tile.index, tile.width);
    const full = tile.width === TILE_WIDTH;
    const ready: Ready = {
      status: 200,
      body: asBuffer(bytes),
      headers: {
        'content-type': 'application/octet-stream',
        'cache-control': full ? FULL_TILE_CACHE_CONTROL : `public, max-age=${PARTIAL_TILE_MAX_AGE_S}`,
      },
      treeSize: (tile.index * TILE_WIDTH + tile.width) * TILE_WIDTH ** level,
    };
    readyCache.set(path, ready);
    return sendReady(reply, ready);
  }

  app.get('/ledger/entries', { schema: entriesSchema }, async (req) => {
    const query = req.query as { start: string; end?: string };
    const { size } = await tree();
    const start = Number(query.start);
    if (start >= size) throw pastTree(`start ${start}`, size);
    const end = query.end === undefined ? Math.min(size, start + ENTRIES_RANGE_MAX) : Number(query.end);
    if (end <= start) throw new ApiError(400, 'BAD_RANGE', `end must be greater than start (${start})`);
    if (end - start > ENTRIES_RANGE_MAX) {
      throw new ApiError(
        400,
        'BAD_RANGE',
        `at most ${ENTRIES_RANGE_MAX} entries per request; page with start`,
      );
    }
    if (end > size) throw pastTree(`end ${end}`, size);
    const entries = await store.entries(start, end);
    return { start, end, entries: entries.map(toBase64) };
  });

  app.get('/ledger/proof/inclusion', { schema: inclusionSchema }, async (req) => {
    const query = req.query as { index?: string; leafHash?: string; size?: string };
    const published = (await tree()).size;
    const size = query.size === undefined ? published : Number(query.size);
    if (size > published) throw pastTree(`size ${size}`, published);
    if ((query.index === undefined) === (query.leafHash === undefined)) {
      throw new ApiError(400, 'BAD_QUERY', 'give exactly one of index or leafHash');
    }
    let index: number;
    if (query.index !== undefined) {
      index = Number(query.index);
      if (index >= size)
        throw new ApiError(404, 'INDEX_OUT_OF_RANGE', `index ${index} is not in a tree of size ${size}`);
    } else {
      const found = await store.indexOfLeafHash(parseLeafHash(query.leafHash!));
      if (found === undefined || found >= size) {
        throw new ApiError(404, 'NOT_FOUND', `no entry with that leaf hash in the tree of size ${size}`);
      }
      index = found;
    }
    const [proof, leafHash, rootHash] = await Promise.all([
      store.inclusionProof(index, size),
      store.leafHashAt(index),
      store.rootAt(size),
    ]);
    return {
      index,
      size,
      leafHash: toBase64(leafHash),
      rootHash: toBase64(rootHash),
      proof: proof.map(toBase64),
    };
  });

  app.get('/ledger/proof/consistency', { schema: consistencySchema }, async (req) => {
    const query = req.query as { from: string; to?: string };
    const published = (await tree()).size;
    const to = query.to === undefined ? published : Number(query.to);
    const from = Number(query.from);
    if (to > published) throw pastTree(`to ${to}`, published);
    if (from > to) throw new ApiError(400, 'BAD_RANGE', `from (${from}) must not be larger than to (${to})`);
    const [proof, fromRoot, toRoot] = await Promise.all([
      store.consistencyProof(from, to),
      store.rootAt(from),
      store.rootAt(to),
    ]);
    return { from, to, fromRoot: toBase64(fromRoot), toRoot: toBase64(toRoot), proof: proof.map(toBase64) };
  });

  // tlog-witness bodies are text whatever the client labels them; parse every type as a string
  // here (this plugin's scope only), bounded by the route's body limit.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.post(
    '/ledger/add-checkpoint',
    {
      bodyLimit: ADD_CHECKPOINT_BODY_BYTES_MAX,
      schema: {
        operationId: 'addCheckpoint',
        tags,
        summary: 'Submit a checkpoint to this root as a witness (C2SP tlog-witness)',
        description: 'The witness answers in text (C2SP tlog-witness); a malformed body is 400 JSON.',
        response: responses(
          {
            200: bodyOf('text/plain', 'the cosignature lines of the checkpoint'),
            403: bodyOf('text/plain', 'the checkpoint is signed by no key this witness trusts'),
            409: bodyOf('text/plain', "not this root's checkpoint at that size: the size this root has"),
          },
          [400, 404, 413],
        ),
      },
    },
    async (req, reply) => {
      if (witness === undefined) {
        throw new ApiError(404, 'NOT_FOUND', 'this root does not act as a witness (no add-checkpoint)');
      }
      // A body that breaks the format is a WireError, answered 400 or 413 by its code (errors.ts).
      const answer = await witness.addCheckpoint(parseAddCheckpointBody(req.body, parseCheckpoint));
      reply.status(answer.status).header('content-type', 'text/plain; charset=utf-8').send(answer.body);
    },
  );
}

function sendReady(reply: FastifyReply, ready: Ready): FastifyReply {
  return reply.headers(ready.headers).send(ready.body);
}

/** Runs `answer`; what it throws, or the promise it returns rejects with, is the reply. */
function settle(reply: FastifyReply, answer: () => unknown): void {
  try {
    const result = answer();
    if (result instanceof Promise) result.catch((err: Error) => reply.send(err));
  } catch (err) {
    reply.send(err as Error);
  }
}

/**
 * Ready tile, bundle and partial-tile responses by request path, least recently used evicted
 * first, bounded in bytes. Their bytes never change (tlog-tiles), so caching is always right.
 */
class ReadyCache {
  readonly #responses = new Map<string, Ready>();
  #bytes = 0;

  get(path: string): Ready | undefined {
    const hit = this.#responses.get(path);
    if (hit !== undefined) {
      this.#responses.delete(path); // refresh its LRU position
      this.#responses.set(path, hit);
    }
    return hit;
  }

  set(path: string, ready: Ready): void {
    if (ready.body.length > READY_CACHE_ENTRY_BYTES_MAX || this.#responses.has(path)) return;
    this.#responses.set(path, ready);
    this.#bytes += ready.body.length;
    while (this.#bytes > READY_CACHE_BYTES_MAX) {
      const [oldest, value] = this.#responses.entries().next().value!;
      this.#responses.delete(oldest);
      this.#bytes -= value.body.length;
    }
  }
}

/** The tree size of a published note; it must be a checkpoint of this store's tree. */
function publishedSize(note: string, store: LedgerStore): number {
  const checkpoint = parseCheckpoint(parseNote(note).text);
  if (checkpoint.origin !== store.origin || checkpoint.size > store.size()) {
    throw new ApiError(
      503,
      'UNAVAILABLE',
      `the published checkpoint (${checkpoint.origin}, size ${checkpoint.size}) is not a tree of this ledger`,
    );
  }
  return checkpoint.size;
}
