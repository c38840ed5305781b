// /health answers 200 while the root can serve; load balancers and systemd use it.
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

export type HealthSource = () => { ok: boolean; detail: Record<string, string | number | boolean> };

export async function healthRoutes(app: FastifyInstance, opts: { health: HealthSource }): Promise<void> {
  app.get(
    '/health',
    { schema: { hide: false, summary: 'Is this root able to serve?' } },
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
