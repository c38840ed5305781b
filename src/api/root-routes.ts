// A root's own HTTP routes (the ledger's tlog routes are in tlog-routes.ts): the world and
// its chain, members, motions with tallies, statement submission and status, and the
// decisions peers fetch to catch up. Writes are authenticated by the statement's own
// signature; nothing here trusts the caller.

import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { parseSignedStatement, type SignedStatement, tally } from '../governance/index.ts';
import type { Root } from '../node/root.ts';
import { worldChain } from '../node/world-chain.ts';
import { ApiError } from './errors.ts';

/** Decisions returned per catch-up request. */
export const DECISIONS_PER_REQUEST_MAX = 64;
/** Decided motions listed by GET /motions, newest first. */
export const DECIDED_MOTIONS_LISTED_MAX = 200;

const Id = Type.String({ pattern: '^[0-9a-f]{64}$' });
const Problem = Type.Object({
  code: Type.String(),
  message: Type.String(),
  rule: Type.Optional(Type.String()),
});

export async function rootRoutes(app: FastifyInstance, opts: { root: Root }): Promise<void> {
  const { root } = opts;

  // The world changes a few times a year and is read by every overlay peer: its JSON is
  // made once per world, not per request.
  let worldBody = { hash: '', json: '' };
  app.get('/world', { schema: { summary: 'The world in force' } }, async (_req, reply) => {
    const { world, worldHash } = root.state;
    if (worldBody.hash !== worldHash) {
      worldBody = {
        hash: worldHash,
        json: JSON.stringify({ version: world.version, hash: worldHash, world }),
      };
    }
    return reply.type('application/json; charset=utf-8').send(worldBody.json);
  });

  app.get(
    '/world/chain',
    { schema: { summary: 'Every world since genesis with the proof that the ledger committed it' } },
    async () => ({ genesis: root.genesis, ...(await worldChain(root.store, root.index)) }),
  );

  app.get('/members', { schema: { summary: 'Members of the world in force' } }, async () => ({
    version: root.state.world.version,
    members: root.state.world.members,
  }));

  app.get('/motions', { schema: { summary: 'Open motions with tallies, and decided ones' } }, async () => ({
    open: root.state.openMotions.map((m) => openMotion(root, m.id)),
    decided: [...root.index.outcomes.entries()]
      .slice(-DECIDED_MOTIONS_LISTED_MAX)
      .reverse()
      .map(([id, o]) => ({ id, ...o })),
  }));

  app.get<{ Params: { id: string } }>(
    '/motions/:id',
    {
      schema: {
        summary: 'One motion: its ballots and tally, or its outcome',
        params: Type.Object({ id: Id }),
      },
    },
    async (req) => {
      const { id } = req.params;
      if (root.state.openMotions.some((m) => m.id === id)) return openMotion(root, id);
      const outcome = root.index.outcomes.get(id);
      if (outcome !== undefined) return { id, status: 'decided', ...outcome };
      throw new ApiError(
        404,
        'NOT_FOUND',
        `no motion ${id} on this root (it may still be pending: GET /statements/${id})`,
      );
    },
  );

  app.post<{ Body: unknown }>(
    '/statements',
    {
      schema: {
        summary: 'Submit a signed statement (motion, ballot, evidence, self-update)',
        body: Type.Object({
          statement: Type.Object({}, { additionalProperties: true }),
          signature: Type.String(),
        }),
        response: { 202: Type.Object({ id: Id, status: Type.String() }), 422: Problem },
      },
    },
    async (req, reply) => {
      let signed: SignedStatement;
      try {
        signed = parseSignedStatement(req.body);
      } catch (err) {
        throw new ApiError(400, 'MALFORMED_STATEMENT', (err as Error).message);
      }
      const result = root.submit(signed);
      if (result.rejection !== null) {
        const status = result.rejection.code === 'POOL_FULL' ? 503 : 422;
        return reply.status(status).send(result.rejection);
      }
      return reply.status(202).send({ id: result.id, status: statusOf(root, result.id).status });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/statements/:id',
    { schema: { summary: 'Where a statement is: pending or committed', params: Type.Object({ id: Id }) } },
    async (req) => {
      const s = statusOf(root, req.params.id);
      if (s.status === 'unknown') {
        throw new ApiError(404, 'NOT_FOUND', `this root has not seen statement ${req.params.id}`);
      }
      return s;
    },
  );

  app.get(
    '/status',
    { schema: { summary: "This root's view: height, round, peers, last commit" } },
    async () => ({
      member: root.self()?.name ?? null,
      federation: root.state.world.federation,
      worldVersion: root.state.world.version,
      height: root.state.height,
      consensus: {
        height: root.driver.state.height,
        round: root.driver.state.round,
        step: root.driver.state.step,
        active: root.driver.state.active,
      },
      ledger: { size: root.store.size(), checkpointCosigners: root.book.cosigners() },
      pending: root.pool.size,
      peerId: root.host.peerId.toString(),
      addrs: root.host.multiaddrs().map(String),
      peers: root.host.libp2p.getPeers().map((p) => p.toString()),
      lastCommit: root.lastCommit,
      timeMs: root.now(),
    }),
  );

  app.get<{ Querystring: { from: string; limit?: string } }>(
    '/consensus/decisions',
    {
      schema: {
        summary: 'Committed batch values with their commit certificates, for catch-up',
        querystring: Type.Object({
          from: Type.String({ pattern: '^[1-9][0-9]{0,14}$' }),
          limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,2}$' })),
        }),
      },
    },
    async (req) => {
      const limit = Math.min(Number(req.query.limit ?? 16), DECISIONS_PER_REQUEST_MAX);
      return { decisions: await root.decisions(Number(req.query.from), limit) };
    },
  );

  app.get('/evidence', { schema: { summary: 'Equivocation this root has seen' } }, async () => ({
    evidence: root.evidence(),
  }));
}

function openMotion(root: Root, id: string) {
  const m = root.state.openMotions.find((x) => x.id === id)!;
  return { ...m, status: 'open', tally: tally(m, root.state.world, root.state.timeMs) };
}

function statusOf(root: Root, id: string) {
  const committed = root.index.statements.get(id);
  if (committed !== undefined)
    return { id, status: 'committed', index: committed.index, height: committed.height };
  if (root.pool.has(id)) return { id, status: 'pending' };
  return { id, status: 'unknown' };
}
