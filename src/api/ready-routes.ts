// /ready: whether this root takes part in the federation now — a quorum of validators
// reachable, not catching up, statements not stalled — with the reasons when not (503). Load
// balancers send clients elsewhere on 503; /health only says the process is up.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { EVERY_ROUTE_PROBLEMS, ProblemSchema } from './root-schemas.ts';

export interface Readiness {
  ready: boolean;
  /** healthy, degraded, behind or stalled. */
  verdict: string;
  reasons: { code: string; message: string }[];
}

export type ReadinessSource = () => Readiness;

const ReadySchema = Type.Object(
  {
    ready: Type.Boolean(),
    verdict: Type.Union(['healthy', 'degraded', 'behind', 'stalled'].map((v) => Type.Literal(v))),
    reasons: Type.Array(Type.Object({ code: Type.String(), message: Type.String() })),
  },
  { description: 'ready, the verdict, and why when the root is not healthy' },
);

export async function readyRoutes(app: FastifyInstance, opts: { ready: ReadinessSource }): Promise<void> {
  // Written as is: a 503 is either this route's own answer or load shedding's problem.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.get(
    '/ready',
    {
      schema: {
        operationId: 'getReady',
        tags: ['status'],
        summary: 'Is this root committing with a quorum? 503 with the reasons when not',
        response: {
          ...EVERY_ROUTE_PROBLEMS,
          200: ReadySchema,
          503: Type.Union([ReadySchema, ProblemSchema], {
            description: 'not ready (the reasons), or shedding load ({ code: OVERLOADED, message })',
          }),
        },
      },
    },
    async (_req, reply) => {
      const r = opts.ready();
      reply.status(r.ready ? 200 : 503).send({ ready: r.ready, verdict: r.verdict, reasons: r.reasons });
    },
  );
}
