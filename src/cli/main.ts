// The `witan` command: operators run roots, officers propose and vote, auditors verify.
// Each subcommand lives in its own file and registers itself here. A file is loaded only when
// its command is asked for: `witan vote` needs the rules and an HTTP client (about 300
// modules), not the root's libp2p and fastify (about 1,400), and starts three times faster.

import { Command } from 'commander';
import { WITAN_VERSION } from '../base/index.ts';
import { EXIT_OK, EXIT_USAGE } from './errors.ts';

type Register = (program: Command) => void;

/** Registration of each command file, in the order `witan --help` lists them. */
const COMMAND_FILES: Record<string, () => Promise<Register>> = {
  init: async () => (await import('./init.ts')).registerInit,
  genesis: async () => (await import('./genesis.ts')).registerGenesis,
  start: async () => (await import('./start.ts')).registerStart,
  config: async () => (await import('./config-check.ts')).registerConfig,
  officer: async () => (await import('./officer.ts')).registerOfficer,
  peer: async () => (await import('./peer.ts')).registerPeer,
  devnet: async () => (await import('./devnet.ts')).registerDevnet,
  audit: async () => {
    const { auditCommand } = await import('./audit.ts');
    return (program) => program.addCommand(auditCommand());
  },
};

/**
 * The file that registers each top-level command. A command missing here still works: an
 * unknown first argument (help, an option, a typo) loads every file.
 */
const FILE_OF_COMMAND: Record<string, keyof typeof COMMAND_FILES> = {
  init: 'init',
  genesis: 'genesis',
  start: 'start',
  config: 'config',
  propose: 'officer',
  vote: 'officer',
  motions: 'officer',
  motion: 'officer',
  status: 'officer',
  world: 'officer',
  candidacy: 'officer',
  keys: 'officer',
  peer: 'peer',
  devnet: 'devnet',
  audit: 'audit',
};

export async function buildProgram(argv: readonly string[] = process.argv): Promise<Command> {
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
  const asked = Object.hasOwn(FILE_OF_COMMAND, argv[2] ?? '') ? FILE_OF_COMMAND[argv[2]!] : undefined;
  const files = asked === undefined ? Object.keys(COMMAND_FILES) : [asked];
  const registrations = await Promise.all(files.map((f) => COMMAND_FILES[f]!()));
  for (const register of registrations) register(program);
  return program;
}

await (await buildProgram()).parseAsync(process.argv);
