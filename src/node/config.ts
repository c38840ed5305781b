// The root's local configuration: one JSON file (witan.json in the data folder by
// default), validated against a schema, with a few environment overrides for containers.
// Paths in the file are relative to the file's folder.

import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parseIpv4, parseIpv6, parseListenMultiaddr, parseP2pEndpoint } from '../governance/index.ts';
import {
  CONFIG_FILE_BYTES_MAX,
  CONFIG_PROBLEMS_LISTED_MAX,
  DEFAULT_EVENT_LOOP_DELAY_MAX_MS,
  DEFAULT_HTTP_BODY_BYTES_MAX,
  DEFAULT_HTTP_CONNECTIONS_MAX,
  DEFAULT_HTTP_PORT,
  DEFAULT_HTTP_REQUEST_TIMEOUT_MS,
  DEFAULT_HTTP_REQUESTS_PER_MINUTE,
  DEFAULT_OPERATOR_PORT,
  DEFAULT_P2P_PORT,
} from './constants.ts';
import { NodeError } from './errors.ts';

const Port = Type.Integer({ minimum: 0, maximum: 65_535 });
/** A consensus timeout: above the event loop's resolution, below anything a round could need. */
const TimeoutMs = Type.Integer({ minimum: 10, maximum: 600_000 });
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
        /** Connections served at once; more are refused until one closes. */
        connectionsMax: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
        /**
         * TLS proxies (addresses or CIDRs) whose X-Forwarded-For is believed, so that rate
         * limits count the real client; empty = the TCP peer is the client.
         */
        trustProxy: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 64 })),
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
    /**
     * Tendermint's round timeouts (each grows by deltaMs per round). The defaults suit roots
     * across the Internet; shorter ones only help roots on one machine or one LAN.
     */
    consensus: Type.Object(
      {
        timeouts: Type.Optional(
          Type.Object(
            {
              proposeMs: Type.Optional(TimeoutMs),
              prevoteMs: Type.Optional(TimeoutMs),
              precommitMs: Type.Optional(TimeoutMs),
              deltaMs: Type.Optional(TimeoutMs),
            },
            { additionalProperties: false },
          ),
        ),
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
    connectionsMax: number;
    trustProxy: string[];
  };
  operator: { host: string; port: number };
  p2p: { listen: string[]; announce: string[] };
  /** Only the timeouts the file sets; the consensus core's defaults fill in the rest. */
  consensus: { timeouts: { proposeMs?: number; prevoteMs?: number; precommitMs?: number; deltaMs?: number } };
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

/**
 * Every problem of a parsed config object, each naming its JSON path (schema, then addresses),
 * and the config when there is none. `witan config check` lists them all; parseConfig throws.
 */
export function configProblems(
  raw: unknown,
  configPath: string,
  env: NodeJS.ProcessEnv = {},
): { config: RootConfig; problems: [] } | { config: undefined; problems: string[] } {
  const withDefaults = Value.Default(ConfigSchema, structuredClone(raw ?? {}));
  const schemaProblems = (value: unknown) =>
    Value.Check(ConfigSchema, value)
      ? []
      : [...Value.Errors(ConfigSchema, value)].map((e) => `${e.path || '/'}: ${e.message}`);
  let problems = schemaProblems(withDefaults);
  if (problems.length > 0) return { config: undefined, problems: bounded(problems) };
  let file: ConfigFile;
  try {
    file = applyEnv(withDefaults as ConfigFile, env);
  } catch (err) {
    return { config: undefined, problems: [(err as Error).message] };
  }
  problems = [...schemaProblems(file), ...addressProblems(file)];
  if (problems.length > 0) return { config: undefined, problems: bounded(problems) };
  return { config: resolved(file, configPath), problems: [] };
}

function bounded(problems: string[]): string[] {
  const unique = [...new Set(problems)];
  if (unique.length <= CONFIG_PROBLEMS_LISTED_MAX) return unique;
  return [
    ...unique.slice(0, CONFIG_PROBLEMS_LISTED_MAX),
    `and ${unique.length - CONFIG_PROBLEMS_LISTED_MAX} more`,
  ];
}

/** Addresses the schema cannot judge: bind hosts are IP literals, multiaddrs parse, proxies are IPs or CIDRs. */
function addressProblems(file: ConfigFile): string[] {
  const problems: string[] = [];
  const ip = (x: string) => parseIpv4(x) !== undefined || parseIpv6(x) !== undefined;
  for (const [path, host] of [
    ['/http/host', file.http.host],
    ['/operator/host', file.operator.host],
  ] as const) {
    if (host !== undefined && !ip(host) && host !== 'localhost')
      problems.push(
        `${path}: ${JSON.stringify(host)} is not an IP address to bind (e.g. 0.0.0.0, ::, 127.0.0.1)`,
      );
  }
  const read = (path: string, x: string, parse: (x: unknown, path: string) => string) => {
    try {
      parse(x, path);
    } catch (err) {
      problems.push((err as Error).message);
    }
  };
  for (const [i, a] of (file.p2p.listen ?? []).entries()) read(`/p2p/listen/${i}`, a, parseListenMultiaddr);
  for (const [i, a] of (file.p2p.announce ?? []).entries()) read(`/p2p/announce/${i}`, a, parseP2pEndpoint);
  for (const [i, p] of (file.http.trustProxy ?? []).entries()) {
    const [address, bits, extra] = p.split('/');
    const v4 = parseIpv4(address ?? '') !== undefined;
    const v6 = parseIpv6(address ?? '') !== undefined;
    const prefixOk = bits === undefined || (/^[0-9]{1,3}$/.test(bits) && Number(bits) <= (v4 ? 32 : 128));
    if ((!v4 && !v6) || !prefixOk || extra !== undefined)
      problems.push(
        `/http/trustProxy/${i}: ${JSON.stringify(p)} is not an IP address or CIDR (e.g. 127.0.0.1, 10.0.0.0/8)`,
      );
  }
  return problems;
}

/** Validate a parsed config object; the error lists every problem with its JSON path, on one line. */
export function parseConfig(raw: unknown, configPath: string, env: NodeJS.ProcessEnv = {}): RootConfig {
  const { config, problems } = configProblems(raw, configPath, env);
  if (config === undefined)
    throw new NodeError(
      'CONFIG_INVALID',
      `${configPath} is not a valid Witan config: ${problems.join('; ')}`,
    );
  return config;
}

function resolved(file: ConfigFile, configPath: string): RootConfig {
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
      connectionsMax: file.http.connectionsMax ?? DEFAULT_HTTP_CONNECTIONS_MAX,
      trustProxy: file.http.trustProxy ?? [],
    },
    operator: { host: file.operator.host ?? '127.0.0.1', port: file.operator.port ?? DEFAULT_OPERATOR_PORT },
    p2p: {
      listen: file.p2p.listen ?? [`/ip4/0.0.0.0/tcp/${DEFAULT_P2P_PORT}`],
      announce: file.p2p.announce ?? [],
    },
    consensus: { timeouts: { ...file.consensus.timeouts } },
    log: { level: file.log.level ?? 'info', pretty: file.log.pretty ?? false },
  };
}

/** Read a config file's JSON (bounded), saying what to do when it cannot be read. */
export function readConfigJson(configPath: string): unknown {
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
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new NodeError('CONFIG_INVALID', `${configPath} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Read and validate a config file. */
export function loadConfig(configPath: string, env: NodeJS.ProcessEnv = process.env): RootConfig {
  return parseConfig(readConfigJson(configPath), configPath, env);
}
