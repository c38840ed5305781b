// The container's health probe (deploy/Dockerfile, HEALTHCHECK):
//
//   node dist/cli/healthcheck.js /data/witan.json
//
// exits 0 when the root running with that config answers GET /health on its operator address
// with 200, and 1 otherwise. Those are Docker's meanings (it reserves 2), which is why this is
// a script of its own rather than a `witan` command with the CLI's exit codes; it also loads only
// the config reader and the HTTP client, since it runs every few seconds. The config is read as
// `witan start` reads it, environment overrides included, so the probe follows the configured
// operator port instead of assuming the default.

import { HttpClient } from '../net/index.ts';
import { loadConfig, type RootConfig } from '../node/config.ts';

/** One look at /health; Docker's own --timeout should be longer. */
export const CONTAINER_HEALTH_TIMEOUT_MS = 3000;
/** GET /health answers a small JSON object. */
const HEALTH_BYTES_MAX = 64 * 1024;
export const HEALTHY = 0;
export const UNHEALTHY = 1;

/** Where the operator's /health answers: a root bound to every interface is asked on loopback. */
export function operatorHealthUrl(operator: RootConfig['operator']): string {
  const host = operator.host === '0.0.0.0' ? '127.0.0.1' : operator.host === '::' ? '::1' : operator.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${operator.port}/health`;
}

/** HEALTHY or UNHEALTHY, with the reason for a person reading `docker inspect`. */
export async function probe(configPath: string): Promise<{ code: number; reason: string }> {
  let url: string;
  try {
    url = operatorHealthUrl(loadConfig(configPath).operator);
  } catch (err) {
    return { code: UNHEALTHY, reason: (err as Error).message };
  }
  try {
    const client = new HttpClient({ timeoutMs: CONTAINER_HEALTH_TIMEOUT_MS, attemptsMax: 1 });
    await client.getBytes(url, { bytesMax: HEALTH_BYTES_MAX });
    return { code: HEALTHY, reason: `${url} answered 200` };
  } catch (err) {
    return { code: UNHEALTHY, reason: `${url}: ${(err as Error).message}` };
  }
}

if (import.meta.main) {
  const configPath = process.argv[2];
  if (configPath === undefined) {
    process.stderr.write('usage: healthcheck <config file>, e.g. /data/witan.json\n');
    process.exitCode = UNHEALTHY;
  } else {
    const { code, reason } = await probe(configPath);
    (code === HEALTHY ? process.stdout : process.stderr).write(`${reason}\n`);
    process.exitCode = code;
  }
}
