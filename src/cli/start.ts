// `witan start`: run this member's root until SIGTERM or SIGINT, then shut down cleanly.

import { join } from 'node:path';
import type { Command } from 'commander';
import { readKeyFile } from '../crypto/key-file.ts';
import { clockFromEnv, clockRateFromEnv } from '../node/clock.ts';
import { loadConfig } from '../node/config.ts';
import { CONFIG_FILE_NAME } from '../node/constants.ts';
import { createLogger } from '../node/logger.ts';
import { Root } from '../node/root.ts';
import { governanceKeyWarnings } from './config-check.ts';
import { action } from './output.ts';
import { keepNextTickShapes } from './tick-shapes.ts';

export function registerStart(program: Command): void {
  program
    .command('start')
    .description("run this member's root: consensus, ledger, HTTP API, relay and rendezvous")
    .option('--config <file>', 'config file written by witan init', join('.', 'witan-data', CONFIG_FILE_NAME))
    .addHelpText(
      'after',
      `
Example:
  $ witan start --config /var/lib/witan/witan.json

The root needs genesis.json (the federation's signed genesis) next to its config.
Environment overrides: WITAN_DATA_DIR, WITAN_HTTP_HOST, WITAN_HTTP_PORT,
WITAN_OPERATOR_PORT, WITAN_P2P_LISTEN, WITAN_LOG_LEVEL.
Stop with Ctrl-C or SIGTERM: the write in flight finishes, then the stores close.`,
    )
    .action(
      action(async (opts: { config: string }) => {
        keepNextTickShapes();
        const config = loadConfig(opts.config);
        const logger = createLogger({ level: config.log.level, pretty: config.log.pretty });
        for (const w of governanceKeyWarnings(config)) logger.warn(w);
        const governanceKey =
          config.governanceKeyFile === undefined ? undefined : readKeyFile(config.governanceKeyFile);
        const root = await Root.start({
          config,
          logger,
          clock: clockFromEnv(),
          clockRate: clockRateFromEnv(),
          ...(governanceKey === undefined ? {} : { governanceKey }),
        });
        await new Promise<void>((resolve) => {
          const stop = (signal: string) => {
            logger.info({ signal }, 'stopping');
            root.stop().then(resolve, (err) => {
              logger.error({ err }, 'unclean stop');
              resolve();
            });
          };
          process.once('SIGTERM', () => stop('SIGTERM'));
          process.once('SIGINT', () => stop('SIGINT'));
        });
      }),
    );
}
