// /health answers 200 while the root can serve; load balancers and systemd use it.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { EVERY_ROUTE_PROBLEMS, ProblemSchema } from './root-schemas.ts';

export type HealthSource = () => { ok: boolean; detail: Record<string, string | number | boolean> };

const Health = Type.Object(
  { ok: Type.Boolean() },
  {
    additionalProperties: true,
    description: 'ok, and what the root reports about itself (height, size, peers)',
  },
);

export async function healthRoutes(app: FastifyInstance, opts: { health: HealthSource }): Promise<void> {
  // Written as is: a 503 is either this route's own { ok: false, … } or load shedding's problem.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.get(
    '/health',
    {
      schema: {
        operationId: 'getHealth',
        tags: ['status'],
        summary: 'Is this root able to serve?',
        response: {
          ...EVERY_ROUTE_PROBLEMS,
          200: Health,
          503: Type.Union([Health, ProblemSchema], {
            description: 'stopping ({ ok: false, … }), or shedding load ({ code: OVERLOADED, message })',
          }),
        },
      },
    },
    async (_req, reply) => {
      const { ok, detail } = opts.health();
      reply.status(ok ? 200 : 503).send({ ok, ...detail });
    },
  );
}

export async function metricsRoutes(app: FastifyInstance, opts: { registry: Registry }): Promise<void> {
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    reply.header('content-type', opts.registry.contentType).send(await opts.registry.metrics());
  });
}
