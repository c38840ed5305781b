// Generates the frozen governance vectors in ledger/vectors/governance/ (README.md there lists
// them), the JSON Schemas in governance/schemas/ and governance/genesis.example.json: keys, the
// genesis, the scripted ledger of scripts/vectors/scenario.ts with the rules engine's verdict on
// every statement, the outcomes and exact entry bytes of every batch, the worlds, the signing
// vectors, refused batches and the /world/chain answer with its verdicts — so an outside
// implementation can test itself against them. `node scripts/gen-governance-vectors.ts` writes
// them; `--check` only compares. Everything derives from fixed labels (no randomness, no
// clock), so re-running reproduces the committed files byte for byte
// (test/governance/vectors.test.ts checks that).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalBytes, type Json, toBase64, toHex, utf8Bytes } from '../src/codec/index.ts';
import { keyPairFromSeed, sha256 } from '../src/crypto/index.ts';
import {
  assembleGenesis,
  assembleGenesisWorld,
  decodeEntry,
  encodeEntry,
  executeBatch,
  type GovernanceState,
  genesisSigningBytes,
  genesisState,
  type MemberDescriptor,
  signGenesis,
  statementId,
  statementSigningBytes,
  worldHash,
} from '../src/governance/index.ts';
import { governanceSchemaFiles } from '../src/governance/schemas.ts';
import { leafHash } from '../src/ledger/index.ts';
import { badBatchVectors } from './vectors/bad-batches.ts';
import { chainVectors } from './vectors/chain.ts';
import { descriptor, FEDERATION, gov, keysFile } from './vectors/identities.ts';
import { recoveryVectors } from './vectors/recovery.ts';
import { ids, STEPS } from './vectors/scenario.ts';
import { signingVectors } from './vectors/signing.ts';

const ROOT = join(import.meta.dirname, '..');
export const VECTORS_DIR = join(ROOT, 'ledger', 'vectors', 'governance');
const PROPOSER = 'alder';

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

  let state = genesisState(genesis);
  const states: GovernanceState[] = [state];
  const entries: Uint8Array[] = [encodeEntry({ kind: 'genesis', genesis })];
  const worldTimes = new Map<number, number>([[0, 0]]);
  const worlds = [{ version: 1, hash: worldHash(world), canonicalHex: hex(world), world }];
  const label = new Map<string, string>();
  const batches = STEPS.map((step) => {
    const made = step.statements(state);
    for (const [l, id] of ids) label.set(id, l);
    const r = executeBatch(state, {
      height: state.height + 1,
      timeMs: step.timeMs,
      proposer: PROPOSER,
      statements: made.map((m) => m.signed),
    });
    const rejected = new Map(r.rejected.map((x) => [x.index, x]));
    const statements = made.map((m, i) => {
      const rej = rejected.get(i);
      const got = rej === undefined ? 'accepted' : rej.code;
      if (got !== m.expect) throw new Error(`${step.note} / ${m.note}: ${got}, not ${m.expect}`);
      return {
        note: m.note,
        signed: m.signed,
        statementId: statementId(m.signed),
        signingBytesHex: toHex(statementSigningBytes(m.signed.statement)),
        verdict: rej === undefined ? { accepted: true } : { accepted: false, code: rej.code, rule: rej.rule },
      };
    });
    const decoded = r.entries.map((e) => decodeEntry(e));
    const outcomes = decoded.flatMap((e) => (e.kind === 'outcome' ? [e] : []));
    const want = step.outcomes().map(([l, result, reason]) => ({ motion: ids.get(l), result, reason }));
    const got = outcomes.map((o) => ({ motion: o.motion, result: o.result, reason: o.reason }));
    if (JSON.stringify(got) !== JSON.stringify(want))
      throw new Error(`${step.note}: outcomes ${JSON.stringify(got)}, not ${JSON.stringify(want)}`);
    if ((r.world !== null) !== step.world) throw new Error(`${step.note}: world ${r.world !== null}`);
    const verdicts = decoded.flatMap((e) => (e.kind === 'verdict' ? [e] : []));
    const gotVerdicts = verdicts.map((v) => [v.member, v.action]);
    if (JSON.stringify(gotVerdicts) !== JSON.stringify(step.verdicts ?? []))
      throw new Error(`${step.note}: verdicts ${JSON.stringify(gotVerdicts)}`);
    const produced = decoded.find((e) => e.kind === 'world');
    state = r.state;
    states.push(state);
    if (r.world !== null) {
      worlds.push({
        version: r.world.version,
        hash: worldHash(r.world),
        canonicalHex: hex(r.world),
        world: r.world,
      });
      worldTimes.set(entries.length + r.entries.length - 1, step.timeMs);
    }
    entries.push(...r.entries);
    return {
      note: step.note,
      height: state.height,
      timeMs: step.timeMs,
      proposer: PROPOSER,
      statements,
      outcomes: outcomes.map((o) => ({ ...o, label: label.get(o.motion) })),
      verdicts,
      causes: produced?.kind === 'world' ? produced.causes : null,
      entries: r.entries.map((e) => toHex(e)),
      worldVersion: state.world.version,
      worldHash: state.worldHash,
    };
  });
  const sample = batches[0]!.statements[0]!.signed;
  return {
    'keys.json': json({
      description:
        'Ed25519 seeds (RFC 8032 §5.1.5) and public keys (base64) of every identity in these vectors; replacements are the keys that replace them later (seed label witan-vectors/<name>/<role>-2). Test keys: never use them.',
      ...keysFile(),
    }),
    'genesis.json': json({
      genesis,
      worldHash: worldHash(world),
      signingBytesHex: toHex(genesisSigningBytes(world)),
    }),
    'batches.json': json({
      description:
        'executeBatch in order from the genesis state: each statement with its id, signing bytes and verdict; the outcomes and world causes the batch records (label: the motion as the notes name it); the ledger entries the batch appends (hex of canonical bytes); the world in force afterwards.',
      federation: FEDERATION,
      batches,
    }),
    'worlds.json': json({
      description: 'Every world of the scenario with worldHash = SHA-256(canonical bytes).',
      worlds,
    }),
    'ledger.json': json({
      description: 'All ledger entries from index 0 (the genesis) with their RFC 6962 leaf hashes.',
      entries: entries.map((e) => toHex(e)),
      leafHashes: entries.map((e) => toHex(leafHash(e))),
    }),
    'signing.json': json(signingVectors()),
    'bad-batches.json': json(badBatchVectors(states, sample)),
    'chain.json': json(chainVectors(genesis, entries, worldTimes)),
    'recovery.json': json(recoveryVectors()),
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
