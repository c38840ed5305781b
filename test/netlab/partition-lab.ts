// A lab federation that can be cut in two: real `witan start` roots (federation.ts), one
// long-lived HTTP client in each root's namespace (fixtures/http-relay.ts: the machine has no
// route into the lab, and a root's operator API with /ready listens on loopback in its own
// namespace), and packet filters that silently drop what one group of roots sends another.
//
// The filters live in a chain of their own, PARTITION_CHAIN, jumped to from INPUT in every root's
// namespace, so healing flushes exactly what a cut added and no other rule of the lab. A cut
// drops at the receiver: the sender's packets leave and vanish, as across a broken link, and its
// kernel reports no error (a DROP in OUTPUT would fail the send at once with EPERM). Only IPv6:
// the lab's roots have no other address.

import { join } from 'node:path';
import { GOVERNANCE_KEY_FILE_NAME } from '../../src/cli/init.ts';
import { toBase64 } from '../../src/codec/index.ts';
import { type KeyPair, parseNote } from '../../src/crypto/index.ts';
import { readKeyFile } from '../../src/crypto/key-file.ts';
import {
  ballot,
  motion,
  type SignedStatement,
  type Statement,
  signStatement,
  type World,
} from '../../src/governance/index.ts';
import { parseCheckpoint } from '../../src/ledger/index.ts';
import { LedgerAgreement } from './agreement.ts';
import { type Commander, commander } from './commands.ts';
import {
  createLabWithFederation,
  LAB_FEDERATION,
  type LabRoot,
  type LabWithFederation,
} from './federation.ts';

/** The chain every cut adds its rules to; nothing else in the lab uses it. */
export const PARTITION_CHAIN = 'WITAN-PARTITION';
/** Marks the jump into the chain, so a reader of `ip6tables -S` sees whose rule it is. */
const PARTITION_COMMENT = 'witan partition test';
/** One HTTP request to a root from inside its namespace, on a loaded machine. */
export const LAB_REQUEST_TIMEOUT_MS = 10_000;
/** A relay that does not answer by then (on top of the request's own bound) is stuck. */
const RELAY_ANSWER_MS = LAB_REQUEST_TIMEOUT_MS + 10_000;

type Answer = { status: number; body: string };

export type RootLook = {
  name: string;
  /** Entries appended (GET /status). */
  size: number;
  height: number;
  pending: number;
  round: number;
  /** The committed checkpoint it serves (GET /checkpoint). */
  checkpoint: { size: number; rootHash: string; cosigners: string[] };
  /** GET /ready on the operator API: 200 or 503, with the reasons' codes. */
  ready: { status: number; verdict: string; codes: string[] };
  /** When the look was taken (Date.now()). */
  atMs: number;
};

export type StatementState = 'committed' | 'pending' | 'unknown';

export type PartitionLab = LabWithFederation<{
  /** Checks every look: divergences seen so far are in `agreement.divergences`. */
  agreement: LedgerAgreement;
  /** Silently drops every packet that `from` roots send to `to` roots (one direction). */
  drop(from: readonly LabRoot[], to: readonly LabRoot[]): Promise<void>;
  /** Both directions between two groups. */
  partition(a: readonly LabRoot[], b: readonly LabRoot[]): Promise<void>;
  /** Removes every rule a cut added, on every root. */
  heal(): Promise<void>;
  /** Looks at every root at once and checks the ledger agreement. */
  look(): Promise<RootLook[]>;
  /** The world a root serves. */
  world(at: LabRoot): Promise<{ version: number; hash: string; world: World }>;
  /** Signs a statement with `author`'s governance key and POSTs it to `at`. */
  submit(
    at: LabRoot,
    author: LabRoot,
    statement: Statement,
  ): Promise<{ id: string; status: number; body: unknown }>;
  /** Where a root has a statement. */
  statementAt(at: LabRoot, id: string): Promise<StatementState>;
}>;

function statementIdOf(body: unknown): string {
  const id = (body as { id?: unknown }).id;
  if (typeof id !== 'string') throw new Error(`no statement id in ${JSON.stringify(body)}`);
  return id;
}

export async function createPartitionLab(roots: number): Promise<PartitionLab> {
  return createLabWithFederation({ roots, homes: [] }, async (lab, fed) => {
    const relays = new Map<string, Commander>();
    const keys = new Map<string, KeyPair>();
    for (const r of fed.roots) {
      relays.set(
        r.name,
        commander(
          lab.spawnNode(r.host, join(import.meta.dirname, 'fixtures', 'http-relay.ts')),
          RELAY_ANSWER_MS,
        ),
      );
      keys.set(r.name, readKeyFile(join(r.dir, GOVERNANCE_KEY_FILE_NAME)));
      await lab.exec(r.host, 'ip6tables', ['-w', '-N', PARTITION_CHAIN]);
      await lab.exec(r.host, 'ip6tables', [
        '-w',
        '-I',
        'INPUT',
        '-m',
        'comment',
        '--comment',
        PARTITION_COMMENT,
        '-j',
        PARTITION_CHAIN,
      ]);
    }
    const relayOf = (r: LabRoot) => relays.get(r.name) as Commander;
    const get = (r: LabRoot, url: string) =>
      relayOf(r)<Answer>({ cmd: 'get', url, timeoutMs: LAB_REQUEST_TIMEOUT_MS });
    const getOk = async (r: LabRoot, path: string, base = r.httpUrl): Promise<string> => {
      const a = await get(r, new URL(path, base).href);
      if (a.status !== 200) throw new Error(`GET ${path} at ${r.name}: ${a.status} ${a.body}`);
      return a.body;
    };
    const agreement = new LedgerAgreement();

    const lookAt = async (r: LabRoot): Promise<RootLook> => {
      const [status, note, ready] = await Promise.all([
        getOk(r, 'status'),
        getOk(r, 'checkpoint'),
        get(r, new URL('ready', r.operatorUrl).href),
      ]);
      const s = JSON.parse(status) as {
        height: number;
        pending: number;
        ledger: { size: number };
        consensus: { round: number };
      };
      const parsed = parseNote(note);
      const cp = parseCheckpoint(parsed.text);
      const r503 = JSON.parse(ready.body) as { verdict: string; reasons: { code: string }[] };
      return {
        name: r.name,
        size: s.ledger.size,
        height: s.height,
        pending: s.pending,
        round: s.consensus.round,
        checkpoint: {
          size: cp.size,
          rootHash: toBase64(cp.rootHash),
          cosigners: parsed.signatures.map((x) => x.name).filter((n) => n !== LAB_FEDERATION),
        },
        ready: { status: ready.status, verdict: r503.verdict, codes: r503.reasons.map((x) => x.code) },
        atMs: Date.now(),
      };
    };

    const rules = async (r: LabRoot, args: string[]) => {
      await lab.exec(r.host, 'ip6tables', ['-w', ...args]);
    };
    const drop = async (from: readonly LabRoot[], to: readonly LabRoot[]) => {
      for (const t of to)
        for (const f of from)
          await rules(t, [
            '-A',
            PARTITION_CHAIN,
            '-s',
            f.host.address,
            '-m',
            'comment',
            '--comment',
            PARTITION_COMMENT,
            '-j',
            'DROP',
          ]);
    };

    return {
      agreement,
      drop,
      partition: async (a, b) => {
        await drop(a, b);
        await drop(b, a);
      },
      heal: async () => {
        for (const r of fed.roots) await rules(r, ['-F', PARTITION_CHAIN]);
      },
      look: async () => {
        const looks = await Promise.all(fed.roots.map(lookAt));
        for (const [i, l] of looks.entries()) {
          const r = fed.roots[i] as LabRoot;
          await agreement.observe(r.name, l.checkpoint.size, l.checkpoint.rootHash, async (start, end) => {
            const page = JSON.parse(await getOk(r, `ledger/entries?start=${start}&end=${end}`)) as {
              entries: string[];
            };
            return page.entries;
          });
        }
        return looks;
      },
      world: async (at) => JSON.parse(await getOk(at, 'world')),
      submit: async (at, author, statement) => {
        const key = keys.get(author.name) as KeyPair;
        const signed: SignedStatement = signStatement(statement, key.secretKey);
        const a = await relayOf(at)<Answer>({
          cmd: 'post',
          url: new URL('statements', at.httpUrl).href,
          body: JSON.stringify(signed),
          timeoutMs: LAB_REQUEST_TIMEOUT_MS,
        });
        const body = JSON.parse(a.body) as unknown;
        return { id: a.status === 202 ? statementIdOf(body) : '', status: a.status, body };
      },
      statementAt: async (at, id) => {
        const a = await get(at, new URL(`statements/${id}`, at.httpUrl).href);
        if (a.status === 404) return 'unknown';
        if (a.status !== 200) throw new Error(`GET /statements/${id} at ${at.name}: ${a.status} ${a.body}`);
        return (JSON.parse(a.body) as { status: StatementState }).status;
      },
    };
  });
}

/** An abstaining ballot: committed like any statement, and never closes the motion it is on. */
export function abstention(author: LabRoot, motionId: string, nowMs: number): Statement {
  return ballot(LAB_FEDERATION, author.name, motionId, 'abstain', nowMs);
}

/** A motion that renames the author's organisation; the partition tests only ever abstain on it. */
export function anchorMotion(author: LabRoot, w: { hash: string; world: World }, nowMs: number): Statement {
  return motion(
    { world: w.world, worldHash: w.hash } as Parameters<typeof motion>[0],
    author.name,
    [{ type: 'update-member', member: author.name, organisation: `${author.name} (partitions)` }],
    nowMs,
    { summary: 'the motion partition tests abstain on' },
  );
}
