// Live audit (an audit of a healthy federation of real roots passes, and a
// second audit with --state fetches only what is new): `witan devnet` runs in the background,
// `witan audit` checks its roots twice from the genesis it wrote, and — when the roots accept
// outside witnesses (POST /ledger/add-checkpoint) — a witness audit's cosignature shows up in
// a root's /checkpoint. Then Ctrl-C (SIGINT) must stop the federation cleanly.

import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/witan.js', import.meta.url));
const TEST_TIMEOUT_MS = 150_000;
const READY_TIMEOUT_MS = 110_000;
const AUDIT_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

type Report = {
  result: string;
  exitCode: number;
  tree: { size: number; fromSize: number; entriesFetched: number } | null;
  violations: unknown[];
  roots: { url: string; checkpoint?: { federationSigned: boolean; mlDsaCosigners: string[] } }[];
  witness: { name: string; submitted: { root: string; status: number | string }[] } | null;
};

function audit(args: string[]): Promise<{ code: number; report: Report; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, 'audit', '--json', ...args],
      { timeout: AUDIT_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        try {
          resolve({ code, report: JSON.parse(stdout) as Report, stderr });
        } catch {
          reject(new Error(`witan audit exited ${code} without a JSON report:\n${stdout}\n${stderr}`));
        }
      },
    );
  });
}

/** Resolves with the output so far once `pattern` appears in it; rejects on exit or timeout. */
function waitFor(child: ChildProcess, output: () => string, pattern: RegExp, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no ${pattern} within ${ms} ms:\n${output()}`)), ms);
    const check = () => {
      if (pattern.test(output())) done();
    };
    const exited = (code: number | null) => done(new Error(`devnet exited (${code}) early:\n${output()}`));
    const done = (error?: Error) => {
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.off('exit', exited);
      if (error === undefined) resolve(output());
      else reject(error);
    };
    child.stdout?.on('data', check);
    child.on('exit', exited);
    check();
  });
}

test('witan audit verifies a running devnet, a second audit with --state fetches nothing new, and Ctrl-C stops it', {
  timeout: TEST_TIMEOUT_MS,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'witan-audit-devnet-'));
  const net = join(dir, 'net');
  const child = spawn(process.execPath, [BIN, 'devnet', '--dir', net], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  try {
    const text = await waitFor(child, () => out, /Ctrl-C stops every root/, READY_TIMEOUT_MS);
    const running = text.slice(text.indexOf('The federation is running'));
    const roots = [...running.matchAll(/^\s+[a-z0-9-]+\s+(http:\/\/127\.0\.0\.1:\d+)\s+\(docs:/gm)].map(
      (m) => m[1]!,
    );
    assert.ok(roots.length >= 4, `root URLs printed:\n${running}`);
    const genesis = join(net, 'genesis.json');
    assert.ok(existsSync(genesis), 'devnet wrote its genesis');
    const state = join(dir, 'audit-state.json');
    const evidence = join(dir, 'evidence');
    const common = ['--genesis', genesis, '--state', state, '--evidence-dir', evidence, ...roots];

    const first = await audit(common);
    assert.equal(first.code, 0, JSON.stringify(first.report.violations) + first.stderr);
    assert.equal(first.report.result, 'verified');
    assert.ok(first.report.tree !== null && first.report.tree.entriesFetched > 0);
    assert.equal(first.report.tree.fromSize, 0);
    assert.equal(first.report.tree.entriesFetched, first.report.tree.size);
    // Every root's checkpoint carries members' ML-DSA-44 lines and the federation's signature
    // (the devnet makes the federation key at start), each checked and reported by the audit.
    for (const r of first.report.roots) {
      assert.ok((r.checkpoint?.mlDsaCosigners.length ?? 0) > 0, `${r.url}: ML-DSA-44 cosigners reported`);
      assert.equal(r.checkpoint?.federationSigned, true, `${r.url}: the federation's line verified`);
    }

    const second = await audit(common);
    assert.equal(second.code, 0, JSON.stringify(second.report.violations) + second.stderr);
    assert.equal(second.report.result, 'verified');
    const tree = second.report.tree!;
    // Only what is new since the first audit: the roots run on, but an idle devnet adds nothing.
    assert.equal(tree.fromSize, first.report.tree.size);
    assert.equal(tree.entriesFetched, tree.size - tree.fromSize);
    assert.equal(tree.entriesFetched, 0, 'an idle federation has nothing new to fetch');
    console.log(
      `# live audit: ${roots.length} roots, ${first.report.tree.size} entries verified; second audit fetched ${tree.entriesFetched}`,
    );

    // Outside witness: only when devnet offers a witness key and the roots take cosignatures.
    const offer = /--witness-key (\S+) --witness-name (\S+)/.exec(running);
    if (offer !== null) {
      const probe = await fetch(`${roots[0]}/ledger/add-checkpoint`, { method: 'POST', body: '' });
      if (probe.status !== 404) {
        const [, key, name] = offer;
        const w = await audit([...common, '--witness-key', key!, '--witness-name', name!]);
        assert.equal(w.code, 0, JSON.stringify(w.report) + w.stderr);
        assert.equal(w.report.witness?.name, name);
        const accepted = w.report.witness!.submitted.filter((s) => s.status === 200);
        assert.ok(accepted.length > 0, JSON.stringify(w.report.witness));
        const checkpoint = await (await fetch(`${accepted[0]!.root}/checkpoint`)).text();
        assert.match(checkpoint, new RegExp(`^— ${name!.replace(/[.]/g, '\\.')} `, 'm'));
        console.log(`# witness ${name} cosigned; ${accepted.length} root(s) publish it`);
      } else console.log('# the roots do not take outside witnesses yet (add-checkpoint 404)');
    }
  } finally {
    if (child.exitCode === null) child.kill('SIGINT');
    const stopped = await Promise.race([
      exited,
      new Promise<null>((resolve) => setTimeout(() => resolve(null), STOP_TIMEOUT_MS)),
    ]);
    if (stopped === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    assert.ok(stopped !== null, `devnet did not stop within ${STOP_TIMEOUT_MS} ms of SIGINT:\n${out}`);
    assert.equal(stopped.code, 0, `devnet exit after SIGINT:\n${out}`);
    assert.match(out, /stopped/);
  }
});
