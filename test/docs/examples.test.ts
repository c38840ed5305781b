// The specification documents cannot drift from the code: every example in ledger/LEDGER.md,
// governance/CHARTER.md and docs/auditing.md is checked with our code — entries decoded and
// found byte for byte in the vector ledger, signatures verified over the signing bytes the
// code builds, notes verified with the vkeys shown — and every hash, key, signature and vkey
// written anywhere in them is one the vectors (or the demo log) really hold. Fenced blocks say
// what they are after their language: ```json entry, ```json signature, ```json vote,
// ```text note followed by ```text vkeys, ```jsonc report-shape.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { demoKeys } from '../../scripts/ledger-demo.ts';
import { COSIGNATURE_FUTURE_MS_MAX } from '../../src/audit/constants.ts';
import { EVIDENCE_KINDS } from '../../src/audit/evidence.ts';
import { fromBase64, type Json, signingBytes, toHex, utf8Bytes } from '../../src/codec/index.ts';
import { GROUP_ORDER, openNote, parseVkey, verifySignature } from '../../src/crypto/index.ts';
import { DKG_SESSION_DOMAIN, WORLD_NOTE_HEADER } from '../../src/governance/constants.ts';
import {
  CANDIDATE_DOMAIN,
  decodeEntry,
  GENESIS_DOMAIN,
  KEY_POSSESSION_DOMAIN,
  MEMBERS_MAX,
  RECOVERY_DOMAIN,
  STATEMENT_BYTES_MAX,
  statementDomain,
} from '../../src/governance/index.ts';
import { STATEMENT_KINDS } from '../../src/governance/statement-types.ts';
import { FROST_DOMAIN_PREFIX } from '../../src/node/federation/messages.ts';
import { CONSENSUS_VOTE_DOMAIN, type SignedVote, verifyVote } from '../../src/wire/index.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const DOCS = ['ledger/LEDGER.md', 'governance/CHARTER.md', 'docs/auditing.md', 'governance/policy.md'];
const text = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

const VECTOR_DIRS = ['ledger/vectors/governance', 'ledger/vectors/notes', 'ledger/vectors/federation'];
const vectorText = VECTOR_DIRS.flatMap((d) =>
  readdirSync(join(ROOT, d))
    .filter((f) => f.endsWith('.json'))
    .map((f) => text(join(d, f))),
).join('\n');
const vectorJson = <T>(path: string): T => JSON.parse(text(path)) as T;

type Block = { doc: string; lang: string; kind: string; body: string };

function blocks(doc: string): Block[] {
  const out: Block[] = [];
  for (const m of text(doc).matchAll(/^```(\S*)[ \t]*([^\n]*)\n([\s\S]*?)^```[ \t]*$/gm)) {
    out.push({ doc, lang: m[1]!, kind: m[2]!.trim(), body: m[3]! });
  }
  return out;
}
const all = DOCS.flatMap(blocks);
const of = (kind: string) => all.filter((b) => b.kind === kind);

test('every json, jsonc and text block in the documents is a checked kind of example', () => {
  const known = ['entry', 'signature', 'vote', 'note', 'vkeys', 'report-shape'];
  for (const b of all) {
    if (b.lang === '') continue; // commands and protocol text
    assert.ok(known.includes(b.kind), `${b.doc}: a \`\`\`${b.lang} block of unknown kind "${b.kind}"`);
  }
  for (const kind of ['entry', 'signature', 'vote', 'note', 'vkeys', 'report-shape'])
    assert.ok(of(kind).length > 0, `no ${kind} example`);
});

test('entry examples decode and are entries of a vector ledger, byte for byte', () => {
  const entries = ['ledger/vectors/governance/ledger.json', 'ledger/vectors/federation/ledger.json'].flatMap(
    (f) => vectorJson<{ entries: string[] }>(f).entries,
  );
  for (const b of of('entry')) {
    const bytes = utf8Bytes(b.body.trimEnd());
    decodeEntry(bytes); // canonical, bounded, of a known kind — or it throws
    assert.ok(entries.includes(toHex(bytes)), `${b.doc}: ${b.body.slice(0, 60)}… is in no vector ledger`);
  }
});

test('signature examples verify over the signing bytes the code builds, and those bytes are in the vectors', () => {
  const domains = new Set([
    GENESIS_DOMAIN,
    CANDIDATE_DOMAIN,
    KEY_POSSESSION_DOMAIN,
    RECOVERY_DOMAIN,
    ...STATEMENT_KINDS.map(statementDomain),
  ]);
  for (const b of of('signature')) {
    const x = JSON.parse(b.body) as {
      domain: string;
      signed: Json;
      signatures: { key: string; signature: string }[];
    };
    assert.ok(domains.has(x.domain), `${b.doc}: unknown domain ${x.domain}`);
    const bytes = signingBytes(x.domain, x.signed);
    assert.ok(
      vectorText.includes(toHex(bytes)),
      `${b.doc}: the signing bytes of ${x.domain} are in no vector`,
    );
    assert.ok(x.signatures.length > 0);
    for (const s of x.signatures)
      assert.ok(
        verifySignature(fromBase64(s.key, 32), bytes, fromBase64(s.signature, 64)),
        `${b.doc}: ${x.domain} signature by ${s.key}`,
      );
  }
});

test('vote examples verify, and are votes of the vectors', () => {
  for (const b of of('vote')) {
    const vote = JSON.parse(b.body) as SignedVote;
    assert.ok(verifyVote(vote), `${b.doc}: the vote does not verify`);
    assert.ok(vectorText.includes(vote.signature));
  }
});

test('note examples are vector notes and verify with the vkeys shown after them', () => {
  type Case = { name: string; vkeys: string[]; note: string; expect: { ok: boolean; verified?: string[] } };
  const { cases } = vectorJson<{ cases: Case[] }>('ledger/vectors/notes/notes.json');
  const worldNotes = vectorJson<{ notes: { note: string }[] }>(
    'ledger/vectors/federation/world-notes.json',
  ).notes.map((n) => n.note);
  const federationVkeys = vectorJson<{ keys: { vkey: string }[] }>(
    'ledger/vectors/federation/keys.json',
  ).keys.map((k) => k.vkey);
  for (const doc of DOCS) {
    const list = blocks(doc);
    list.forEach((b, i) => {
      if (b.kind !== 'note') return;
      const vkeys = list[i + 1];
      assert.equal(vkeys?.kind, 'vkeys', `${doc}: a note example is followed by its vkeys`);
      const shown = vkeys!.body.trim().split('\n');
      const opened = openNote(b.body, shown.map(parseVkey));
      // A world note of the federation vectors, shown with the federation key that signed it.
      if (worldNotes.includes(b.body)) {
        for (const v of shown) assert.ok(federationVkeys.includes(v), `${doc}: ${v} is no federation key`);
        assert.ok(opened.verified.length > 0);
        return;
      }
      const c = cases.find((x) => x.note === b.body);
      assert.ok(c, `${doc}: the note example is no case of notes.json`);
      assert.deepEqual(shown, c.vkeys);
      assert.deepEqual(
        opened.verified.map((s) => s.name),
        c.expect.verified,
      );
    });
  }
});

test('every hash, key and signature written in the documents is one the vectors hold, every vkey parses', () => {
  const demo = demoKeys(3);
  const demoVkeys = [demo.logVkey, ...demo.cosigners.map((c) => c.vkey)];
  const ledger = text('ledger/LEDGER.md');
  for (const v of demoVkeys) assert.ok(ledger.includes(v), `LEDGER.md §8 shows the demo vkey ${v}`);
  for (const doc of DOCS) {
    let body = text(doc);
    for (const m of body.matchAll(/[A-Za-z0-9.-]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*/g)) {
      const vkey = m[0];
      parseVkey(vkey); // throws on a malformed vkey or a key ID that does not match
      assert.ok(
        demoVkeys.includes(vkey) || vectorText.includes(vkey),
        `${doc}: vkey ${vkey} is neither a demo nor a vector key`,
      );
    }
    body = body.replaceAll(/[A-Za-z0-9.-]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*/g, '');
    for (const m of body.matchAll(/\b(?=[0-9]*[a-f])[0-9a-f]{32,}\b/g))
      assert.ok(vectorText.includes(m[0]), `${doc}: hex ${m[0].slice(0, 16)}… is in no vector`);
    for (const m of body.matchAll(/[A-Za-z0-9+/]{40,}={0,2}/g))
      assert.ok(vectorText.includes(m[0]), `${doc}: base64 ${m[0].slice(0, 16)}… is in no vector`);
  }
});

test('every signing domain the documents name is one the code signs or hashes under', () => {
  const domains = new Set([
    DKG_SESSION_DOMAIN,
    WORLD_NOTE_HEADER,
    `${FROST_DOMAIN_PREFIX}<type>`,
    ...['commitments', 'request', 'share', 'signature'].map((t) => `${FROST_DOMAIN_PREFIX}${t}`),
    GENESIS_DOMAIN,
    CANDIDATE_DOMAIN,
    KEY_POSSESSION_DOMAIN,
    RECOVERY_DOMAIN,
    CONSENSUS_VOTE_DOMAIN,
    ...STATEMENT_KINDS.map(statementDomain),
    'witan/v1/governance/<kind>',
  ]);
  for (const doc of DOCS)
    for (const m of text(doc).matchAll(/witan\/v1\/[a-z0-9/<>-]*[a-z0-9>]/g))
      assert.ok(domains.has(m[0]), `${doc}: ${m[0]} is no signing domain`);
});

test('auditing.md: the evidence kinds are the auditor’s, and the report shape names report fields', () => {
  const auditing = text('docs/auditing.md');
  const evidence = auditing.slice(auditing.indexOf('## Evidence files'));
  const rows = [...evidence.matchAll(/^\| (`[a-z-]+`(?:, `[a-z-]+`)*) \|/gm)];
  const table = rows.flatMap((m) => [...m[1]!.matchAll(/`([a-z-]+)`/g)].map((k) => k[1]!));
  assert.deepEqual(table.sort(), [...EVIDENCE_KINDS].sort());
  const source = [
    'report.ts',
    'audit.ts',
    'replay.ts',
    'timeline.ts',
    'checkpoints.ts',
    'witness.ts',
    'run.ts',
  ]
    .map((f) => text(join('src/audit', f)))
    .join('\n');
  const shape = of('report-shape')[0]!.body;
  for (const m of shape.matchAll(/"([A-Za-z]+)":/g))
    assert.match(source, new RegExp(`\\b${m[1]}\\b`), `report field ${m[1]} is not in src/audit`);
});

test('the limits the documents state are the code’s', () => {
  assert.match(text('ledger/LEDGER.md'), /`L = 2\^252 \+ 27742317777372353535851937790883648493`/);
  assert.equal(GROUP_ORDER, 2n ** 252n + 27742317777372353535851937790883648493n);
  const policy = text('governance/policy.md');
  assert.match(policy, new RegExp(`\\| \`MEMBERS_MAX\` \\| ${MEMBERS_MAX} \\|`));
  assert.match(
    policy,
    new RegExp(`\\| \`STATEMENT_BYTES_MAX\` \\| ${STATEMENT_BYTES_MAX.toLocaleString('en')} \\|`),
  );
  assert.match(
    policy,
    new RegExp(`\\| \`COSIGNATURE_FUTURE_MS_MAX\` \\| ${COSIGNATURE_FUTURE_MS_MAX / 60_000} min \\|`),
  );
  assert.match(
    text('ledger/LEDGER.md'),
    new RegExp(`more than \\*\\*${COSIGNATURE_FUTURE_MS_MAX / 60_000} minutes\\*\\*`),
  );
});
