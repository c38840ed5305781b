// Everything a root serves on its public port, in one plugin: health and readiness, the ledger (C2SP
// tlog-tiles and the JSON conveniences), the root's own routes, recovery, the federation key and
// the dashboard. The root registers exactly this, and the OpenAPI test documents exactly this, so
// a route added here is checked there.

import type { FastifyInstance } from 'fastify';
import { federationRoutes } from './federation-routes.ts';
import type { FederationView } from './federation-view.ts';
import { type HealthSource, healthRoutes } from './health-routes.ts';
import { type ReadinessSource, readyRoutes } from './ready-routes.ts';
import { type RecoveryView, recoveryRoutes } from './recovery-routes.ts';
import { rootRoutes } from './root-routes.ts';
import type { RootView } from './root-view.ts';
import { type TlogRoutesOptions, tlogRoutes } from './tlog-routes.ts';
import { uiRoutes } from './ui-routes.ts';

export type PublicRoutesOptions = {
  health: HealthSource;
  ready: ReadinessSource;
  tlog: TlogRoutesOptions;
  view: RootView;
  /** Recovery (charter §20): GET and POST /recovery. */
  recovery: RecoveryView;
  /** The federation key (charter §22): GET /federation, signed worlds, ZeroTier planets. */
  federation: FederationView;
};

export async function publicRoutes(app: FastifyInstance, o: PublicRoutesOptions): Promise<void> {
  await app.register(healthRoutes, { health: o.health });
  await app.register(readyRoutes, { ready: o.ready });
  await app.register(tlogRoutes, o.tlog);
  await app.register(rootRoutes, { view: o.view });
  await app.register(recoveryRoutes, { view: o.recovery });
  await app.register(federationRoutes, { view: o.federation });
  await app.register(uiRoutes, { view: o.view });
}
