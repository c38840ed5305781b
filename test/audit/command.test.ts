// runAudit end to end (genesis file, state, witness, report formats) and the commander
// command's verify-evidence subcommand, over real roots on 127.0.0.1.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { formatText } from '../../src/audit/report.ts';
import { formatHtml } from '../../src/audit/report-html.ts';
import { readGenesisFile, runAudit } from '../../src/audit/run.ts';
import { Witness } from '../../src/audit/witness.ts';
import { auditCommand } from '../../src/cli/audit.ts';
import { writeKeyFile } from '../../src/crypto/key-file.ts';
import { ballot, encodeEntry, motion } from '../../src/governance/index.ts';
import { verifyConsistency } from '../../src/ledger/index.ts';
import {
  admit,
  FEDERATION,
  keysFor,
  makeGenesis,
  sign,
  statementId,
  T0,
  TestLedger,
} from '../governance/fixtures.ts';
import { tempDir } from '../helpers/temp.ts';
import { type Member, publish, signCheckpoint, startRoot, type TestRoot } from './fixtures/ledger-root.ts';

const NOW_S = Math.floor(T0 / 1000) + 86_400;
const tmp = tempDir('audit-cmd');
const open: TestRoot[] = [];
after(async () => {
  for (const r of open) await r.close();
});
const node = (name: string): Member => ({ name, key: keysFor(name).node });
const FOUNDERS = ['m00', 'm01', 'm02', 'm03'].map(node);

async function federation(): Promise<{ ledger: TestLedger; roots: TestRoot[]; genesisPath: string }> {
  const ledger = new TestLedger(makeGenesis(4));
  const m = sign(motion(ledger.state, 'm00', [admit('n00', 'US')], T0));
  ledger.run([m]);
  ledger.run(
    ['m00', 'm01', 'm02'].map((a) => sign(ballot(FEDERATION, a, statementId(m), 'yes', T0 + 1000))),
    T0 + 2000,
  );
  const entries = [encodeEntry({ kind: 'genesis', genesis: ledger.genesis }), ...ledger.entries];
  const roots: TestRoot[] = [];
  for (const logger of FOUNDERS.slice(0, 2)) {
    const r = await startRoot(entries, { world: ledger.state.world });
    open.push(r);
    await publish(r, logger, FOUNDERS, NOW_S);
    roots.push(r);
  }
  const genesisPath = join(tmp, `genesis-${roots[0]!.url.split(':')[2]}.json`);
  writeFileSync(genesisPath, JSON.stringify(ledger.genesis));
  return { ledger, roots, genesisPath };
}

test('runAudit: verified, remembered in --state, cosigned as a witness; second run fetches only new entries', async () => {
  const { ledger, roots, genesisPath } = await federation();
  const keyPath = join(tmp, 'witness.key');
  writeKeyFile(keyPath, keysFor('auditor').node, { kind: 'node' });
  const witness = { keyPath, name: 'auditor.example', statePath: join(tmp, 'witness.json') };
  const statePath = join(tmp, 'audit.state.json');
  const base = {
    genesis: readGenesisFile(genesisPath),
    roots: roots.map((r) => r.url),
    statePath,
    witness,
    workers: 1,
  };
  const first = await runAudit({ ...base, nowMs: NOW_S * 1000 + 1000 });
  assert.equal(first.result, 'verified', formatText(first));
  assert.equal(first.exitCode, 0);
  assert.equal(first.tree?.entriesFetched, ledger.entries.length + 1);
  assert.deepEqual(
    first.witness?.submitted.map((s) => s.status),
    [200, 200],
  );
  assert.match(roots[0]!.witnessed[0]!, /^old 0\n\n/);
  assert.match(roots[0]!.witnessed[0]!, /— auditor\.example /);
  const text = formatText(first);
  for (const heading of ['Members (5)', 'Worlds (2) and motions (1)', 'Roots (2)', 'Violations (0)']) {
    assert.ok(text.includes(heading), heading);
  }
  assert.match(text, /m01: 0 motions, 1 yes/);
  // The report states the clock and skew it judged times by, and whose quorum it counted.
  assert.deepEqual(first.clock, { nowMs: NOW_S * 1000 + 1000, skewMs: 300_000, source: 'given' });
  assert.match(text, /Clock\n {2}\S+ \(given\); cosignatures may be dated at most 300 s ahead of it/);
  assert.equal(first.roots[0]!.checkpoint?.quorumWorld?.version, 2);
  assert.match(text, /quorum 3 of 4 validators of world v2/);

  ledger.run([sign(motion(ledger.state, 'm02', [admit('n01', 'JP')], T0 + 3000))], T0 + 3000);
  const added = ledger.entries.slice(-2);
  for (const r of roots) {
    await r.store.append(added);
    await publish(r, FOUNDERS[0]!, FOUNDERS, NOW_S + 20);
  }
  const second = await runAudit({ ...base, nowMs: NOW_S * 1000 + 30_000 });
  assert.equal(second.result, 'verified', formatText(second));
  assert.equal(second.tree?.fromSize, ledger.entries.length - 1);
  assert.equal(second.tree?.entriesFetched, 2);
  // The witness proved the new checkpoint consistent with what it cosigned before.
  const body = roots[1]!.witnessed.at(-1)!;
  assert.match(body, new RegExp(`^old ${ledger.entries.length - 1}\\n`));
});

test('the witness refuses to cosign a checkpoint inconsistent with what it cosigned', () => {
  const w = new Witness('auditor.example', keysFor('auditor').node, undefined);
  const rootA = new Uint8Array(32).fill(1);
  const first = w.cosign(signCheckpoint(10, rootA, FOUNDERS[0]!, [], NOW_S), [], NOW_S * 1000);
  assert.equal(first.oldSize, 0);
  assert.throws(
    () => w.cosign(signCheckpoint(10, new Uint8Array(32).fill(2), FOUNDERS[0]!, [], NOW_S), [], NOW_S * 1000),
    {
      code: 'WITNESS_REFUSED',
    },
  );
  assert.throws(() => w.cosign(signCheckpoint(9, rootA, FOUNDERS[0]!, [], NOW_S), [], NOW_S * 1000), {
    code: 'WITNESS_REFUSED',
  });
  assert.throws(
    () => w.cosign(signCheckpoint(12, rootA, FOUNDERS[0]!, [], NOW_S), [new Uint8Array(32)], NOW_S * 1000),
    {
      code: 'WITNESS_REFUSED',
    },
  );
  assert.equal(w.state?.size, 10);
  assert.equal(verifyConsistency(10, 10, [], rootA, rootA), true);
});

test('an unreachable root makes the audit incomplete (exit 2); HTML is self-contained and escaped', async () => {
  const { genesisPath } = await federation();
  const report = await runAudit({
    genesis: readGenesisFile(genesisPath),
    roots: ['http://127.0.0.1:9'],
    attemptsMax: 1,
    timeoutMs: 2000,
    workers: 0,
  });
  assert.equal(report.result, 'incomplete');
  assert.equal(report.exitCode, 2);
  report.incomplete.push('<script>alert(1)</script>');
  const html = formatHtml(report);
  assert.ok(!html.includes('<script>'));
  assert.ok(html.includes('&#60;script&#62;'));
  // No resource outside the page: the only links are to its own sections.
  assert.ok(!/src=/.test(html));
  for (const m of html.matchAll(/href="([^"]*)"/g)) assert.match(m[1]!, /^#[a-z-]+$/);
});

test('witan audit verify-evidence confirms evidence (exit 0) and refuses an altered file (exit 1)', async () => {
  const { roots, genesisPath } = await federation();
  const evidenceDir = join(tmp, 'cmd-evidence');
  // One root serves a checkpoint cosigned by too few members.
  const liar = roots[1]!;
  liar.lie.note = () =>
    signCheckpoint(liar.store.size(), liar.store.rootHash(), FOUNDERS[1]!, [FOUNDERS[2]!], NOW_S);
  const report = await runAudit({
    genesis: readGenesisFile(genesisPath),
    roots: roots.map((r) => r.url),
    evidenceDir,
    nowMs: NOW_S * 1000 + 1000,
    workers: 1,
  });
  assert.equal(report.exitCode, 1);
  assert.deepEqual(
    report.violations.map((v) => v.kind),
    ['insufficient-cosignatures'],
  );
  const file = join(evidenceDir, readdirSync(evidenceDir)[0]!);
  const run = async (path: string) => {
    const out: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => out.push(chunk) > 0) as typeof process.stdout.write;
    try {
      await auditCommand().parseAsync(['verify-evidence', path], { from: 'user' });
    } finally {
      process.stdout.write = write;
    }
    const code = process.exitCode;
    process.exitCode = 0;
    return { code, out: out.join('') };
  };
  const ok = await run(file);
  assert.equal(ok.code, 0, ok.out);
  assert.match(ok.out, /^CONFIRMED insufficient-cosignatures/);
  const altered = JSON.parse(readFileSync(file, 'utf8'));
  // Claim a different tree size: the member signatures no longer match the note.
  altered.notes[0].note = altered.notes[0].note.replace(
    /\n(\d+)\n/,
    (_: string, n: string) => `\n${Number(n) + 1}\n`,
  );
  const alteredPath = join(tmp, 'altered.json');
  writeFileSync(alteredPath, JSON.stringify(altered));
  const refused = await run(alteredPath);
  assert.equal(refused.code, 1, refused.out);
  assert.match(refused.out, /^NOT CONFIRMED/);
});
