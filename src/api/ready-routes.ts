// /ready: whether this root takes part in the federation now — a quorum of validators
// reachable, not catching up, statements not stalled — with the reasons when not (503). Load
// balancers send clients elsewhere on 503; /health only says the process is up.
import type { FastifyInstance } from 'fastify';

export interface Readiness {
  ready: boolean;
  /** healthy, degraded, behind or stalled. */
  verdict: string;
  reasons: { code: string; message: string }[];
}

export async function readyRoutes(app: FastifyInstance, opts: { ready: () => Readiness }): Promise<void> {
  app.get(
    '/ready',
    {
      schema: {
        summary: 'Is this root committing with a quorum? 503 with the reasons when not',
      },
    },
    async (_req, reply) => {
      const r = opts.ready();
      reply.status(r.ready ? 200 : 503).send({ ready: r.ready, verdict: r.verdict, reasons: r.reasons });
    },
  );
}
