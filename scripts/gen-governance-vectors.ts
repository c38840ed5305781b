// Generates the frozen governance vectors in ledger/vectors/governance/,
// the JSON Schemas in governance/schemas/ and governance/genesis.example.json:
// keys, the genesis, a scripted ledger of batches with every statement, the rules engine's
// verdict on each (accepted, or the rejection code and charter rule), the exact entry bytes
// and the world hashes — so an outside auditor can test their own implementation of the
// rules. `node scripts/gen-governance-vectors.ts` writes them; `--check` only compares.
// Everything derives from fixed labels (no randomness, no clock), so re-running reproduces the
// committed files byte for byte (test/governance/vectors.test.ts checks that).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalBytes, type Json, toBase64, toHex, utf8Bytes } from '../src/codec/index.ts';
import { keyPairFromSeed, sha256 } from '../src/crypto/index.ts';
import {
  assembleGenesis,
  assembleGenesisWorld,
  ballot,
  type Change,
  encodeEntry,
  evidence,
  executeBatch,
  type GovernanceState,
  genesisSigningBytes,
  genesisState,
  type MemberDescriptor,
  motion,
  type SignedStatement,
  type Statement,
  selfUpdate,
  signCandidate,
  signGenesis,
  signStatement,
  statementId,
  statementSigningBytes,
  worldHash,
} from '../src/governance/index.ts';
import { governanceSchemaFiles } from '../src/governance/schemas.ts';
import { leafHash } from '../src/ledger/index.ts';
import { signVote } from '../src/wire/index.ts';

const ROOT = join(import.meta.dirname, '..');
export const VECTORS_DIR = join(ROOT, 'ledger', 'vectors', 'governance');
const FEDERATION = 'vectors.witan.test';
const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

function seed(name: string, role: string): Uint8Array {
  return sha256(utf8Bytes(`witan-vectors/${name}/${role}`));
}
const gov = (name: string) => keyPairFromSeed(seed(name, 'governance'));
const node = (name: string) => keyPairFromSeed(seed(name, 'node'));

function descriptor(name: string, jurisdiction: string): MemberDescriptor {
  return {
    name,
    organisation: `${name.toUpperCase()} Institute`,
    jurisdiction,
    nodeKey: toBase64(node(name).publicKey),
    governanceKey: toBase64(gov(name).publicKey),
    endpoints: { p2p: [`/dns4/${name}.example.org/tcp/4001`], http: [`https://${name}.example.org/`] },
  };
}

const signAs = <S extends Statement>(s: S, name = s.author): SignedStatement<S> =>
  signStatement(s, gov(name).secretKey);

function admitChange(name: string, jurisdiction: string): Change {
  const candidate = descriptor(name, jurisdiction);
  return {
    type: 'admit',
    candidate,
    candidateSignatures: signCandidate(FEDERATION, candidate, gov(name).secretKey, node(name).secretKey),
  };
}

type Step = {
  note: string;
  timeMs: number;
  statements: (state: GovernanceState) => { note: string; signed: SignedStatement }[];
};

const json = (x: unknown): string => `${JSON.stringify(x, null, 2)}\n`;
const hex = (x: unknown): string => toHex(canonicalBytes(x as Json));

export function governanceVectors(): Record<string, string> {
  const names = ['alder', 'birch', 'cedar', 'rowan'];
  const jurisdictions = ['DE', 'JP', 'BR', 'CA'];
  const world = assembleGenesisWorld(
    FEDERATION,
    names.map((n, i) => descriptor(n, jurisdictions[i]!)),
  );
  const genesis = assembleGenesis(
    world,
    names.map((n) => signGenesis(world, n, gov(n).secretKey)),
  );
  const keys = [...names, 'elm'].map((n) => ({
    name: n,
    governanceSeed: toHex(seed(n, 'governance')),
    governanceKey: toBase64(gov(n).publicKey),
    nodeSeed: toHex(seed(n, 'node')),
    nodeKey: toBase64(node(n).publicKey),
  }));

  let admitId = '';
  const vote = (valueId: string) =>
    signVote(
      {
        federation: FEDERATION,
        height: 2,
        round: 0,
        type: 'precommit',
        valueId,
        validator: toBase64(node('rowan').publicKey),
      },
      node('rowan').secretKey,
    );
  const steps: Step[] = [
    {
      note: 'a motion to admit elm, and statements the rules reject',
      timeMs: T0,
      statements: (s) => {
        const admit = signAs(motion(s, 'alder', [admitChange('elm', 'NZ')], T0, { summary: 'Admit Elm' }));
        admitId = statementId(admit);
        return [
          { note: 'accepted: motion by a voting member against the world in force', signed: admit },
          {
            note: 'rejected: signed by another key',
            signed: signAs(motion(s, 'birch', [{ type: 'remove', member: 'cedar' }], T0), 'alder'),
          },
          {
            note: 'rejected: would give DE a blocking share',
            signed: signAs(motion(s, 'birch', [admitChange('fir', 'DE')], T0)),
          },
          {
            note: 'rejected: ballot on no open motion',
            signed: signAs(ballot(FEDERATION, 'cedar', 'ab'.repeat(32), 'yes', T0)),
          },
          {
            note: 'rejected: signed more than a day before the batch',
            signed: signAs(ballot(FEDERATION, 'cedar', admitId, 'yes', T0 - 2 * DAY_MS)),
          },
          { note: 'rejected: the very same motion again', signed: admit },
        ];
      },
    },
    {
      note: 'ballots: three of four voting members say yes, so elm is admitted in probation (world 2)',
      timeMs: T0 + HOUR_MS,
      statements: () => [
        { note: 'accepted', signed: signAs(ballot(FEDERATION, 'alder', admitId, 'yes', T0 + HOUR_MS)) },
        {
          note: 'rejected: elm is not a member yet',
          signed: signAs(ballot(FEDERATION, 'elm', admitId, 'yes', T0 + HOUR_MS)),
        },
        { note: 'accepted', signed: signAs(ballot(FEDERATION, 'birch', admitId, 'no', T0 + HOUR_MS - 10)) },
        {
          note: 'accepted: replaces the earlier no',
          signed: signAs(ballot(FEDERATION, 'birch', admitId, 'yes', T0 + HOUR_MS)),
        },
        {
          note: 'accepted: the third yes passes the motion (3 > 2/3 of 4)',
          signed: signAs(ballot(FEDERATION, 'cedar', admitId, 'yes', T0 + HOUR_MS, 'welcome')),
        },
      ],
    },
    {
      note: 'a self-update and evidence of double precommits by rowan (world 3: rowan suspended)',
      timeMs: T0 + 2 * HOUR_MS,
      statements: (s) => [
        {
          note: 'rejected: elm is in probation and cannot move motions',
          signed: signAs(motion(s, 'elm', [{ type: 'remove', member: 'cedar' }], T0 + 2 * HOUR_MS)),
        },
        {
          note: 'accepted: birch moves its endpoints',
          signed: signAs(
            selfUpdate(FEDERATION, 'birch', T0 + 2 * HOUR_MS, {
              endpoints: {
                p2p: ['/dns4/root2.birch.example.org/tcp/4001'],
                http: ['https://root2.birch.example.org/'],
              },
            }),
          ),
        },
        {
          note: 'accepted: evidence suspends rowan and opens a removal motion',
          signed: signAs(
            evidence(
              FEDERATION,
              'cedar',
              { type: 'votes', first: vote('11'.repeat(32)), second: vote('22'.repeat(32)) },
              T0 + 2 * HOUR_MS,
            ),
          ),
        },
        {
          note: 'rejected: rowan is suspended',
          signed: signAs(
            selfUpdate(FEDERATION, 'rowan', T0 + 2 * HOUR_MS, {
              endpoints: { p2p: ['/dns4/r.example/tcp/1'], http: ['https://r.example/'] },
            }),
          ),
        },
      ],
    },
    {
      note: '31 days later: elm leaves probation, the removal motion of rowan has expired (world 4)',
      timeMs: T0 + 31 * DAY_MS,
      statements: () => [],
    },
  ];

  let state = genesisState(genesis);
  const entries: string[] = [toHex(encodeEntry({ kind: 'genesis', genesis }))];
  const worlds = [{ version: 1, hash: worldHash(world), canonicalHex: hex(world), world }];
  const batches = steps.map((step) => {
    const made = step.statements(state);
    const r = executeBatch(state, {
      height: state.height + 1,
      timeMs: step.timeMs,
      proposer: 'alder',
      statements: made.map((m) => m.signed),
    });
    const rejected = new Map(r.rejected.map((x) => [x.index, x]));
    const statements = made.map((m, i) => {
      const rej = rejected.get(i);
      return {
        note: m.note,
        signed: m.signed,
        statementId: statementId(m.signed),
        signingBytesHex: toHex(statementSigningBytes(m.signed.statement)),
        verdict: rej === undefined ? { accepted: true } : { accepted: false, code: rej.code, rule: rej.rule },
      };
    });
    state = r.state;
    if (r.world !== null)
      worlds.push({
        version: r.world.version,
        hash: worldHash(r.world),
        canonicalHex: hex(r.world),
        world: r.world,
      });
    const produced = r.entries.map((e) => toHex(e));
    entries.push(...produced);
    return {
      note: step.note,
      height: state.height,
      timeMs: step.timeMs,
      proposer: 'alder',
      statements,
      entries: produced,
      worldVersion: state.world.version,
      worldHash: state.worldHash,
    };
  });
  const leaves = entries.map((e) => toHex(leafHash(Buffer.from(e, 'hex'))));
  return {
    'keys.json': json({
      description:
        'Ed25519 seeds (RFC 8032 §5.1.5) and public keys (base64) of every identity in these vectors. Test keys: never use them.',
      keys,
    }),
    'genesis.json': json({
      genesis,
      worldHash: worldHash(world),
      signingBytesHex: toHex(genesisSigningBytes(world)),
    }),
    'batches.json': json({
      description:
        'executeBatch in order from the genesis state: each statement with its id, signing bytes and verdict; the ledger entries the batch appends (hex of canonical bytes); the world in force afterwards.',
      federation: FEDERATION,
      batches,
    }),
    'worlds.json': json({
      description: 'Every world of the scenario with worldHash = SHA-256(canonical bytes).',
      worlds,
    }),
    'ledger.json': json({
      description: 'All ledger entries from index 0 (the genesis) with their RFC 6962 leaf hashes.',
      entries,
      leafHashes: leaves,
    }),
  };
}

/** A four-founder genesis as the founding ceremony would produce it (test keys from fixed labels). */
export function exampleGenesis(): string {
  const founders: [string, string, string][] = [
    ['aurora', 'Aurora University', 'FI'],
    ['kestrel', 'Kestrel Networks Foundation', 'CA'],
    ['lumen', 'Lumen Institute of Technology', 'JP'],
    ['tessera', 'Tessera Commons', 'BR'],
  ];
  const key = (name: string, role: string) =>
    keyPairFromSeed(sha256(utf8Bytes(`witan-example/${name}/${role}`)));
  const descriptors: MemberDescriptor[] = founders.map(([name, organisation, jurisdiction]) => ({
    name,
    organisation,
    jurisdiction,
    nodeKey: toBase64(key(name, 'node').publicKey),
    governanceKey: toBase64(key(name, 'governance').publicKey),
    endpoints: {
      p2p: [`/dns4/root.${name}.example/tcp/4001`, `/dns4/root.${name}.example/tcp/4002/ws`],
      http: [`https://root.${name}.example/`],
    },
  }));
  const world = assembleGenesisWorld('example.witan.test', descriptors);
  return json(
    assembleGenesis(
      world,
      founders.map(([name]) => signGenesis(world, name, key(name, 'governance').secretKey)),
    ),
  );
}

/** Every generated file, by path relative to the repository root. */
export function generatedFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(governanceVectors()))
    out[join('ledger', 'vectors', 'governance', name)] = text;
  for (const [name, text] of Object.entries(governanceSchemaFiles()))
    out[join('governance', 'schemas', name)] = text;
  out[join('governance', 'genesis.example.json')] = exampleGenesis();
  return out;
}

export const REPO_ROOT = ROOT;

if (import.meta.main) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [name, text] of Object.entries(generatedFiles())) {
    const path = join(ROOT, name);
    if (check) {
      let old = '';
      try {
        old = readFileSync(path, 'utf8');
      } catch {}
      if (old !== text) {
        stale++;
        console.error(`${name} differs`);
      }
    } else {
      writeFileSync(path, text);
      console.log(`wrote ${name}`);
    }
  }
  if (stale > 0) process.exitCode = 1;
}
