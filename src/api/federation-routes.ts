// The federation key's routes (ledger/LEDGER.md §9.6): the key and its ceremony, the signed
// world notes a client follows from the first key, and the ZeroTier planets and moons — the
// files a ZeroTier node reads (application/octet-stream), byte for byte what the federation
// signed; a world makes one only when its planet changed (LEDGER.md §9.4). Read-only; the
// routes see the root only through a FederationView.

import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ApiError } from './errors.ts';
import type { FederationView, ZeroTierFile, ZeroTierType } from './federation-view.ts';
import { FederationResponse, responses, WorldNotesResponse } from './root-schemas.ts';

const Version = Type.String({ pattern: '^[1-9][0-9]{0,14}$', description: 'a world version' });
const OCTETS = 'application/octet-stream';
/** Signed worlds change a few times a year; an exact version never changes. */
const CACHE_VERSIONED = 'public, max-age=31536000, immutable';
const CACHE_LATEST = 'public, max-age=60';

export async function federationRoutes(app: FastifyInstance, opts: { view: FederationView }): Promise<void> {
  const { view } = opts;
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  app.get(
    '/federation',
    {
      schema: {
        operationId: 'getFederation',
        tags: ['federation'],
        summary: 'The federation key, its DKG ceremony, and the worlds waiting for its signatures',
        response: responses({ 200: FederationResponse }),
      },
    },
    async () => view.federation(),
  );

  app.get(
    '/federation/worlds',
    {
      schema: {
        operationId: 'listSignedWorlds',
        tags: ['federation'],
        summary: 'Every world note the federation signed, oldest first: the chain of federation keys',
        response: responses({ 200: WorldNotesResponse }),
      },
    },
    async () => ({ worlds: view.signedWorldNotes() }),
  );

  app.get<{ Params: { version: string } }>(
    '/federation/worlds/:version',
    {
      schema: {
        operationId: 'getSignedWorld',
        tags: ['federation'],
        summary: 'One signed world note (a C2SP signed note)',
        params: Type.Object({ version: Version }),
        response: responses({ 200: Type.String() }, [400, 404]),
      },
    },
    async (req, reply) => {
      const signed = view.signedWorld(Number(req.params.version));
      if (signed === undefined)
        throw new ApiError(404, 'NOT_FOUND', `world ${req.params.version} has no federation signatures here`);
      return reply
        .type('text/plain; charset=utf-8')
        .header('cache-control', CACHE_VERSIONED)
        .send(signed.note);
    },
  );

  for (const type of ['planet', 'moon'] as const) {
    const send = (version: number | undefined, reply: FastifyReply) => {
      const file = view.zeroTierFile(type, version);
      if (file.version === undefined) throw new ApiError(404, 'NOT_FOUND', missing(type, version, file));
      return reply
        .type(OCTETS)
        .header('cache-control', version === undefined ? CACHE_LATEST : CACHE_VERSIONED)
        .header('content-disposition', `attachment; filename="${type}"`)
        .send(Buffer.from(file.bytes));
    };
    app.get(
      `/zerotier/${type}`,
      {
        schema: {
          operationId: type === 'planet' ? 'getLatestPlanet' : 'getLatestMoon',
          tags: ['federation'],
          summary: `The newest ZeroTier ${type} the federation signed (${OCTETS})`,
          response: responses({ 200: Type.Unsafe({ type: 'string', format: 'binary' }) }, [404]),
        },
      },
      async (_req, reply) => send(undefined, reply),
    );
    app.get<{ Params: { version: string } }>(
      `/zerotier/${type}/:version`,
      {
        schema: {
          operationId: type === 'planet' ? 'getPlanet' : 'getMoon',
          tags: ['federation'],
          summary: `The ZeroTier ${type} made at one world version (${OCTETS}); a version that made none answers 404, naming the version whose ${type} is in force there`,
          params: Type.Object({ version: Version }),
          response: responses({ 200: Type.Unsafe({ type: 'string', format: 'binary' }) }, [400, 404]),
        },
      },
      async (req, reply) => send(Number(req.params.version), reply),
    );
  }
}

/** Why there is no signed planet (moon) to serve for `version` (the newest when undefined). */
function missing(
  type: ZeroTierType,
  version: number | undefined,
  file: Extract<ZeroTierFile, { version?: undefined }>,
): string {
  if (version === undefined) return `no ZeroTier ${type} is signed here yet`;
  if (version > file.newestWorld)
    return `world ${version} is not committed here (the newest is ${file.newestWorld})`;
  if (file.inForce === undefined) return `no world up to ${version} yields a ZeroTier ${type}`;
  if (file.inForce < version)
    return `world ${version} yields no new ZeroTier ${type}: the ${type} in force there is world ${file.inForce}'s (GET /zerotier/${type}/${file.inForce})`;
  return `world ${version}'s ZeroTier ${type} is not signed here: its signatures are awaited, or were dropped for a newer ${type}`;
}
