// The root's local configuration: one JSON file (witan.json in the data folder by
// default), validated against a schema, with a few environment overrides for containers.
// Paths in the file are relative to the file's folder.

import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import {
  CONFIG_FILE_BYTES_MAX,
  DEFAULT_EVENT_LOOP_DELAY_MAX_MS,
  DEFAULT_HTTP_BODY_BYTES_MAX,
  DEFAULT_HTTP_PORT,
  DEFAULT_HTTP_REQUEST_TIMEOUT_MS,
  DEFAULT_HTTP_REQUESTS_PER_MINUTE,
  DEFAULT_OPERATOR_PORT,
  DEFAULT_P2P_PORT,
} from './constants.ts';
import { NodeError } from './errors.ts';

const Port = Type.Integer({ minimum: 0, maximum: 65_535 });
const Host = Type.String({ minLength: 1, maxLength: 253 });

export const ConfigSchema = Type.Object(
  {
    /** Folder holding the LevelDB stores; relative to the config file. */
    dataDir: Type.String({ minLength: 1, maxLength: 4096, default: '.' }),
    nodeKeyFile: Type.String({ minLength: 1, maxLength: 4096, default: 'node.key' }),
    genesisFile: Type.String({ minLength: 1, maxLength: 4096, default: 'genesis.json' }),
    /** Optional: lets the root sign evidence statements itself when it sees equivocation. */
    governanceKeyFile: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    /** Optional: the member's ML-DSA-44 key, for post-quantum cosignatures of checkpoints. */
    mlDsaKeyFile: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    /** Outside witnesses (C2SP vkeys, cosignature/v1) whose cosignatures this root publishes. */
    witnesses: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 512 }), { maxItems: 32 })),
    http: Type.Object(
      {
        host: Type.Optional(Host),
        port: Type.Optional(Port),
        bodyBytesMax: Type.Optional(Type.Integer({ minimum: 1024, maximum: 16 * 1024 * 1024 })),
        requestsPerMinute: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
        requestTimeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 600_000 })),
        eventLoopDelayMaxMs: Type.Optional(Type.Integer({ minimum: 10, maximum: 60_000 })),
      },
      { additionalProperties: false, default: {} },
    ),
    operator: Type.Object(
      { host: Type.Optional(Host), port: Type.Optional(Port) },
      { additionalProperties: false, default: {} },
    ),
    p2p: Type.Object(
      {
        listen: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 512 }), { maxItems: 16 })),
        announce: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 512 }), { maxItems: 16 })),
      },
      { additionalProperties: false, default: {} },
    ),
    log: Type.Object(
      {
        level: Type.Optional(
          Type.Union([
            Type.Literal('fatal'),
            Type.Literal('error'),
            Type.Literal('warn'),
            Type.Literal('info'),
            Type.Literal('debug'),
            Type.Literal('trace'),
          ]),
        ),
        pretty: Type.Optional(Type.Boolean()),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

export type ConfigFile = Static<typeof ConfigSchema>;

/** Configuration with every default filled in and every path absolute. */
export type RootConfig = {
  configPath: string;
  dataDir: string;
  nodeKeyFile: string;
  genesisFile: string;
  governanceKeyFile?: string;
  mlDsaKeyFile?: string;
  witnesses: string[];
  http: {
    host: string;
    port: number;
    bodyBytesMax: number;
    requestsPerMinute: number;
    requestTimeoutMs: number;
    eventLoopDelayMaxMs: number;
  };
  operator: { host: string; port: number };
  p2p: { listen: string[]; announce: string[] };
  log: { level: string; pretty: boolean };
};

/** Environment overrides, for containers and the devnet. Each names one config field. */
export const ENV_OVERRIDES = {
  WITAN_DATA_DIR: 'dataDir',
  WITAN_HTTP_HOST: 'http.host',
  WITAN_HTTP_PORT: 'http.port',
  WITAN_OPERATOR_PORT: 'operator.port',
  WITAN_P2P_LISTEN: 'p2p.listen (comma-separated multiaddrs)',
  WITAN_LOG_LEVEL: 'log.level',
} as const;

function parsePortEnv(name: string, text: string): number {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port > 65_535) {
    throw new NodeError('CONFIG_INVALID', `${name}=${text} is not a TCP port (0-65535)`);
  }
  return port;
}

function applyEnv(file: ConfigFile, env: NodeJS.ProcessEnv): ConfigFile {
  const out = structuredClone(file);
  if (env.WITAN_DATA_DIR) out.dataDir = env.WITAN_DATA_DIR;
  if (env.WITAN_HTTP_HOST) out.http.host = env.WITAN_HTTP_HOST;
  if (env.WITAN_HTTP_PORT) out.http.port = parsePortEnv('WITAN_HTTP_PORT', env.WITAN_HTTP_PORT);
  if (env.WITAN_OPERATOR_PORT)
    out.operator.port = parsePortEnv('WITAN_OPERATOR_PORT', env.WITAN_OPERATOR_PORT);
  if (env.WITAN_P2P_LISTEN) out.p2p.listen = env.WITAN_P2P_LISTEN.split(',').map((s) => s.trim());
  if (env.WITAN_LOG_LEVEL) out.log.level = env.WITAN_LOG_LEVEL as ConfigFile['log']['level'];
  return out;
}

/** Validate a parsed config object; the error lists every problem with its JSON path. */
export function parseConfig(raw: unknown, configPath: string, env: NodeJS.ProcessEnv = {}): RootConfig {
  const withDefaults = Value.Default(ConfigSchema, structuredClone(raw ?? {}));
  const checkOne = (value: unknown) => {
    if (!Value.Check(ConfigSchema, value)) {
      const problems = [...Value.Errors(ConfigSchema, value)]
        .slice(0, 10)
        .map((e) => `  ${e.path || '/'}: ${e.message}`)
        .join('\n');
      throw new NodeError('CONFIG_INVALID', `${configPath} is not a valid Witan config:\n${problems}`);
    }
  };
  checkOne(withDefaults);
  const file = applyEnv(withDefaults as ConfigFile, env);
  checkOne(file);
  const base = dirname(resolve(configPath));
  const dataDir = resolve(base, file.dataDir);
  return {
    configPath: resolve(configPath),
    dataDir,
    nodeKeyFile: resolve(base, file.nodeKeyFile),
    genesisFile: resolve(base, file.genesisFile),
    witnesses: file.witnesses ?? [],
    ...(file.governanceKeyFile === undefined
      ? {}
      : { governanceKeyFile: resolve(base, file.governanceKeyFile) }),
    ...(file.mlDsaKeyFile === undefined ? {} : { mlDsaKeyFile: resolve(base, file.mlDsaKeyFile) }),
    http: {
      host: file.http.host ?? '0.0.0.0',
      port: file.http.port ?? DEFAULT_HTTP_PORT,
      bodyBytesMax: file.http.bodyBytesMax ?? DEFAULT_HTTP_BODY_BYTES_MAX,
      requestsPerMinute: file.http.requestsPerMinute ?? DEFAULT_HTTP_REQUESTS_PER_MINUTE,
      requestTimeoutMs: file.http.requestTimeoutMs ?? DEFAULT_HTTP_REQUEST_TIMEOUT_MS,
      eventLoopDelayMaxMs: file.http.eventLoopDelayMaxMs ?? DEFAULT_EVENT_LOOP_DELAY_MAX_MS,
    },
    operator: { host: file.operator.host ?? '127.0.0.1', port: file.operator.port ?? DEFAULT_OPERATOR_PORT },
    p2p: {
      listen: file.p2p.listen ?? [`/ip4/0.0.0.0/tcp/${DEFAULT_P2P_PORT}`],
      announce: file.p2p.announce ?? [],
    },
    log: { level: file.log.level ?? 'info', pretty: file.log.pretty ?? false },
  };
}

/** Read and validate a config file. */
export function loadConfig(configPath: string, env: NodeJS.ProcessEnv = process.env): RootConfig {
  let text: string;
  try {
    const size = statSync(configPath).size;
    if (size > CONFIG_FILE_BYTES_MAX) {
      throw new NodeError(
        'CONFIG_INVALID',
        `${configPath} is ${size} bytes; a config is at most ${CONFIG_FILE_BYTES_MAX}`,
      );
    }
    text = readFileSync(configPath, 'utf8');
  } catch (err) {
    if (err instanceof NodeError) throw err;
    throw new NodeError(
      'CONFIG_UNREADABLE',
      `cannot read the config file ${configPath} (${(err as NodeJS.ErrnoException).code ?? err}). Create one with \`witan init\`, or pass --config <file>.`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new NodeError('CONFIG_INVALID', `${configPath} is not valid JSON: ${(err as Error).message}`);
  }
  return parseConfig(raw, configPath, env);
}
