// A real federation in the lab: one `witan start` root process per root host, members made as
// the devnet makes them (src/cli/federation.ts: `witan init`, the genesis ceremony) but with
// their endpoints on the lab's public segment — p2p on /ip6/<host>/tcp/4001, HTTP on
// http://[<host>]:8480/ — so the world every peer verifies lists the roots it reaches through
// the NATs. Readiness is seen from inside the lab (the machine's namespace has no route into
// it): a probe in a root's namespace verifies the world from the genesis with the client library.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalMember, foundFederation, type LocalMember } from '../../src/cli/federation.ts';
import { DESCRIPTOR_FILE_NAME, NODE_KEY_FILE_NAME } from '../../src/cli/init.ts';
import { MAIN_SCRIPT } from '../../src/cli/root-processes.ts';
import { readKeyFile } from '../../src/crypto/key-file.ts';
import { DEFAULT_POLICY, type Policy, type SignedGenesis } from '../../src/governance/index.ts';
import { CONFIG_FILE_NAME } from '../../src/node/constants.ts';
import { peerIdOfNodeKey } from '../../src/overlay/index.ts';
import { makeTempDir, removeDir } from '../helpers/temp.ts';
import { createLab, type Lab, type LabHost, type LabProcess, type LabSpec } from './lab.ts';

export const LAB_FEDERATION = 'netlab.witan.test';
export const ROOT_P2P_PORT = 4001;
export const ROOT_HTTP_PORT = 8480;
/** Roots start, connect, and commit the genesis under a quorum of cosignatures. */
export const FEDERATION_READY_MS = 120_000;
const MiB = 1024 * 1024;

/**
 * The default policy with the relay opened up: relayed throughput is what the benchmark
 * measures, not the per-circuit cap, and every lab peer's connections come from few addresses.
 */
export const LAB_POLICY: Policy = {
  ...structuredClone(DEFAULT_POLICY),
  relay: {
    reservationsMax: 256,
    circuitBytesMax: 512 * MiB,
    circuitDurationMs: 300_000,
    connectionsPerIpPerSecond: 1000,
    pendingConnectionsMax: 64,
  },
};

export type LabRoot = {
  name: string;
  /** The member's folder: config, keys, data. */
  dir: string;
  host: LabHost;
  peerId: string;
  p2p: string;
  httpUrl: string;
  /** The operator API (/ready, /metrics): loopback inside the root's own namespace. */
  operatorUrl: string;
  process: LabProcess;
};

export type LabFederation = {
  dir: string;
  genesis: SignedGenesis;
  genesisFile: string;
  roots: LabRoot[];
  /** SIGKILL one root's process, as a power cut. Resolves once it is gone. */
  kill(root: LabRoot): Promise<void>;
  close(): Promise<void>;
};

function rewriteJson(path: string, change: (o: Record<string, unknown>) => Record<string, unknown>): void {
  writeFileSync(path, `${JSON.stringify(change(JSON.parse(readFileSync(path, 'utf8'))), null, 2)}\n`);
}

/** Places a member made for 127.0.0.1 on a lab root host (before the genesis ceremony). */
function placeOnLab(m: LocalMember, host: LabHost): { p2p: string; httpUrl: string } {
  const p2p = `/ip6/${host.address}/tcp/${ROOT_P2P_PORT}`;
  const httpUrl = `http://[${host.address}]:${ROOT_HTTP_PORT}/`;
  rewriteJson(join(m.dir, CONFIG_FILE_NAME), (c) => ({
    ...c,
    http: { ...(c.http as object), host: host.address, port: ROOT_HTTP_PORT },
    p2p: { listen: [p2p], announce: [p2p] },
  }));
  rewriteJson(join(m.dir, DESCRIPTOR_FILE_NAME), (d) => ({
    ...d,
    endpoints: { p2p: [p2p], http: [httpUrl] },
  }));
  return { p2p, httpUrl };
}

export async function startLabFederation(lab: Lab, policy: Policy = LAB_POLICY): Promise<LabFederation> {
  const dir = makeTempDir('netlab-fed');
  const processes: LabProcess[] = [];
  try {
    const members: LocalMember[] = [];
    const placed: { p2p: string; httpUrl: string }[] = [];
    for (const [i, host] of lab.roots.entries()) {
      const m = await createLocalMember(dir, i, { logLevel: 'error' });
      placed.push(placeOnLab(m, host));
      members.push(m);
    }
    const genesis = foundFederation({ base: dir, federation: LAB_FEDERATION, members, policy });
    const roots: LabRoot[] = members.map((m, i) => {
      const host = lab.roots[i] as LabHost;
      const process = lab.spawnNode(host, MAIN_SCRIPT, ['start', '--config', join(m.dir, CONFIG_FILE_NAME)]);
      processes.push(process);
      return {
        name: m.name,
        dir: m.dir,
        host,
        peerId: peerIdOfNodeKey(readKeyFile(join(m.dir, NODE_KEY_FILE_NAME)).publicKey),
        ...(placed[i] as { p2p: string; httpUrl: string }),
        operatorUrl: `http://127.0.0.1:${m.operatorPort}/`,
        process,
      };
    });
    const genesisFile = join(dir, 'genesis.json');
    // Verified from inside the lab, from every root: each serves a world a peer accepts.
    const probe = lab.spawnNode(
      lab.roots[0] as LabHost,
      join(import.meta.dirname, 'fixtures', 'world-ready.ts'),
      [genesisFile, String(FEDERATION_READY_MS), ...roots.map((r) => r.httpUrl)],
    );
    const ready = await probe.firstJson<{ ok: boolean; error?: string }>(FEDERATION_READY_MS + 10_000);
    await probe.stop();
    if (!ready.ok) throw new Error(`the lab federation did not serve a verified world: ${ready.error}`);
    return {
      dir,
      genesis,
      genesisFile,
      roots,
      kill: async (root) => {
        root.process.child.kill('SIGKILL');
        await root.process.stop();
      },
      close: async () => {
        await Promise.all(processes.map((p) => p.stop()));
        removeDir(dir);
      },
    };
  } catch (err) {
    await Promise.all(processes.map((p) => p.stop()));
    removeDir(dir);
    throw err;
  }
}

/** A lab, a federation on its roots, and what `build` adds on top: one thing to close. */
export type LabWithFederation<T> = T & {
  lab: Lab;
  federation: LabFederation;
  roots: LabRoot[];
  /** Stops every process of the lab, deletes its namespaces, then the federation's folder. */
  close(): Promise<void>;
};

/** Builds a lab and a federation on it, then `build`; tears down everything built if a step fails. */
export async function createLabWithFederation<T>(
  spec: LabSpec,
  build: (lab: Lab, federation: LabFederation) => Promise<T>,
): Promise<LabWithFederation<T>> {
  const lab = await createLab(spec);
  let federation: LabFederation | undefined;
  try {
    federation = await startLabFederation(lab);
    const fed = federation;
    return {
      ...(await build(lab, fed)),
      lab,
      federation: fed,
      roots: fed.roots,
      close: async () => {
        await lab.close();
        await fed.close();
      },
    };
  } catch (err) {
    await lab.close();
    await federation?.close();
    throw err;
  }
}
