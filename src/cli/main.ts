// The `witan` command: operators run roots, officers propose and vote, auditors verify.
// Each subcommand lives in its own file and registers itself here.

import { Command } from 'commander';
import { WITAN_VERSION } from '../base/index.ts';
import { auditCommand } from './audit.ts';
import { registerConfig } from './config-check.ts';
import { registerDevnet } from './devnet.ts';
import { EXIT_OK, EXIT_USAGE } from './errors.ts';
import { registerGenesis } from './genesis.ts';
import { registerInit } from './init.ts';
import { registerOfficer } from './officer.ts';
import { registerPeer } from './peer.ts';
import { registerStart } from './start.ts';

export function buildProgram(): Command {
  const program = new Command('witan')
    .description('Run, govern and audit a federation of Witan roots.')
    .version(WITAN_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (text, write) => write(text) })
    .exitOverride((err) => {
      // commander's own usage errors (unknown option, missing argument) use our usage exit code
      process.exit(err.exitCode === 0 ? EXIT_OK : EXIT_USAGE);
    })
    .addHelpText(
      'after',
      `
Exit codes:
  0 ok
  1 rejected by the rules, or a verification failed
  2 a root could not be reached or timed out
  3 bad usage or input (argument, file, passphrase)
  4 local state refuses (data folder in use or damaged, file exists)
  5, 6, 7 witan status: the root is degraded, behind or stalled
  70 a bug (the only case with a stack trace)

Start here:
  $ witan devnet                 a local federation of 4 roots, with a story
  $ witan init --help            set up a member and its root`,
    );
  registerInit(program);
  registerGenesis(program);
  registerStart(program);
  registerConfig(program);
  registerOfficer(program);
  registerPeer(program);
  registerDevnet(program);
  program.addCommand(auditCommand());
  return program;
}

await buildProgram().parseAsync(process.argv);
