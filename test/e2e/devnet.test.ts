// The README's main job, run as a new user would: `witan devnet` on a fresh folder founds a
// federation of four root processes, makes the federation key by DKG (world v2), admits a
// fifth member by motion and ballots (world v3 on every root, whichever ballot decides it),
// lets it catch up and finish probation (world v4), rotates the federation key to the five
// voting members, and has two overlay peers meet by rendezvous and talk through a root's relay.
// The same running federation is then audited live: `witan audit` checks its roots twice from
// the genesis it wrote (the second time, with --state, fetching only what is new), every root's
// checkpoint carrying ML-DSA-44 cosignatures and a verified federation line, and — when the
// roots accept outside witnesses (POST /ledger/add-checkpoint) — a witness audit's cosignature
// shows up in a root's /checkpoint. Last, Ctrl-C (SIGINT) stops every root cleanly.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { getText, post } from '../helpers/http.ts';
import { tempDir } from '../helpers/temp.ts';
import { type RunningWitan, runWitan, STOP_TIMEOUT_MS, startWitan } from '../helpers/witan.ts';

/** The story up to "Ctrl-C stops every root", on a loaded 2-core machine. */
const READY_TIMEOUT_MS = 150_000;
const AUDIT_TIMEOUT_MS = 30_000;
/** Witness audits tried while every root has grown past the checkpoint the witness audited. */
const WITNESS_AUDITS_MAX = 3;
/** Audits tried until every root has served a checkpoint with the federation's line. */
const FEDERATION_LINE_AUDITS_MAX = 3;
/**
 * Devnet time at twice the default rate: the one-day probation takes 12 s of wall time instead
 * of 24, and a statement still has 12 s of wall time (its one-day age limit) to commit.
 */
const CLOCK_RATE = 7200;
const MEMBERS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];

type Report = {
  result: string;
  exitCode: number;
  tree: { size: number; fromSize: number; entriesFetched: number } | null;
  violations: unknown[];
  roots: { url: string; checkpoint?: { federationSigned: boolean; mlDsaCosigners: string[] } }[];
  witness: { name: string; submitted: { root: string; status: number | string }[] } | null;
};

let devnet: RunningWitan | undefined;
// Registered before the folder's removal, so a devnet left running is gone before its folder is.
after(async () => {
  await devnet?.stop('SIGKILL');
});
const dir = tempDir('devnet');
const net = join(dir, 'net');
/** The devnet's output up to the line that says it is running. */
let story = '';

async function audit(args: string[]): Promise<{ code: number | null; report: Report; stderr: string }> {
  const r = await runWitan(['audit', '--json', ...args], { timeoutMs: AUDIT_TIMEOUT_MS });
  try {
    return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
  } catch {
    throw new Error(
      `witan audit exited ${r.code ?? r.signal} without a JSON report:\n${r.stdout}\n${r.stderr}`,
    );
  }
}

/** Warnings and errors a root logged most recently, shown when the story stalls. */
const STALL_LOG_LINES_PER_ROOT = 30;

/** The last warn-or-worse lines (pino level ≥ 40) of every root's root.log, for a stalled story. */
function rootWarnings(): string {
  const out: string[] = [];
  for (const name of MEMBERS) {
    const file = join(net, name, 'root.log');
    if (!existsSync(file)) continue;
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => {
        try {
          return (JSON.parse(l) as { level?: number }).level! >= 40;
        } catch {
          return false;
        }
      });
    out.push(`--- ${name}: last ${STALL_LOG_LINES_PER_ROOT} warnings of ${lines.length}`);
    out.push(...lines.slice(-STALL_LOG_LINES_PER_ROOT));
  }
  return out.join('\n');
}

before(
  async () => {
    devnet = startWitan(['devnet', '--dir', net, '--clock-rate', String(CLOCK_RATE)]);
    try {
      story = await devnet.waitForOutput(/Ctrl-C stops every root/, READY_TIMEOUT_MS);
    } catch (e) {
      // A stalled story says little by itself: what the roots complained about says why.
      throw new Error(`${(e as Error).message}\n${rootWarnings()}`, { cause: e });
    }
  },
  { timeout: READY_TIMEOUT_MS + 10_000 },
);

test('witan devnet founds a federation, admits a member through probation, and relays between two peers', () => {
  assert.match(story, /genesis committed: every root serves a quorum-cosigned checkpoint/);
  assert.match(story, /world v2: federation key \S+ \(3 of 4\); no root holds it whole/);
  // With four members the third yes decides: every member either voted or was told, in
  // words, that the motion had already passed — whichever ballot it was.
  for (const name of ['alpha', 'beta', 'gamma', 'delta']) {
    assert.match(
      story,
      new RegExp(
        `${name} votes yes|${name}'s ballot is not needed: the motion already passed at height \\d+, world v3`,
      ),
    );
  }
  assert.match(story, /world v3 committed and served identically by all 4 roots/);
  assert.match(
    story,
    /motion [0-9a-f]{8,} passed at height \d+, world v3, by the ballots of (\w+ yes(, )?){3,4}/,
  );
  assert.match(story, /epsilon serves world v3/);
  assert.match(story, /epsilon is a voting member \(world v4\)/);
  assert.match(story, /world v\d+: federation key \S+ \(4 of 5\) replaces/);
  assert.match(story, /"hello through the relay" went to \w+ and back through the relay/);
});

test('witan audit verifies the running devnet, and a second audit with --state fetches only what is new', {
  timeout: (2 + FEDERATION_LINE_AUDITS_MAX + WITNESS_AUDITS_MAX) * AUDIT_TIMEOUT_MS,
}, async () => {
  const running = story.slice(story.indexOf('The federation is running'));
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
  // Both follow a tree once it settled (the federation's line by one signing round, the ML-DSA
  // lines 400 ms after the tree while the policy does not require them): a root that just
  // committed a duty report serves the new tree without them for a moment; audit it again (no
  // --state, so the second audit below still starts where the first ended).
  const signed = new Set<string>();
  const withMlDsa = new Set<string>();
  let latest = first;
  for (let i = 0; ; i++) {
    for (const r of latest.report.roots) {
      if (r.checkpoint?.federationSigned === true) signed.add(r.url);
      if ((r.checkpoint?.mlDsaCosigners.length ?? 0) > 0) withMlDsa.add(r.url);
    }
    if (
      (signed.size === roots.length && withMlDsa.size === roots.length) ||
      i + 1 >= FEDERATION_LINE_AUDITS_MAX
    )
      break;
    latest = await audit(['--genesis', genesis, '--evidence-dir', evidence, ...roots]);
    assert.equal(latest.code, 0, JSON.stringify(latest.report.violations) + latest.stderr);
  }
  for (const r of first.report.roots) {
    assert.ok(withMlDsa.has(r.url), `${r.url}: ML-DSA-44 cosigners reported`);
    assert.ok(signed.has(r.url), `${r.url}: the federation's line verified`);
  }

  const second = await audit(common);
  assert.equal(second.code, 0, JSON.stringify(second.report.violations) + second.stderr);
  assert.equal(second.report.result, 'verified');
  const tree = second.report.tree!;
  // Only what is new since the first audit: the roots run on, and commit their duty reports
  // once per duty epoch (a devnet day is 24 s), so the ledger may have grown in between.
  assert.equal(tree.fromSize, first.report.tree.size);
  assert.equal(tree.entriesFetched, tree.size - tree.fromSize);
  console.log(
    `# live audit: ${roots.length} roots, ${first.report.tree.size} entries verified; second audit fetched ${tree.entriesFetched}`,
  );

  // Outside witness: only when devnet offers a witness key and the roots take cosignatures.
  const offer = /--witness-key (\S+) --witness-name (\S+)/.exec(running);
  if (offer !== null) {
    const probe = await post(`${roots[0]}/ledger/add-checkpoint`, '', 'text/plain');
    if (probe.status !== 404) {
      const [, key, name] = offer;
      // The roots commit their duty reports once per duty epoch: when that lands between the
      // witness's audit and its submission, every root answers 409 (it has grown); audit again.
      let w = await audit([...common, '--witness-key', key!, '--witness-name', name!]);
      for (
        let i = 1;
        i < WITNESS_AUDITS_MAX && w.report.witness?.submitted.every((s) => s.status === 409);
        i++
      )
        w = await audit([...common, '--witness-key', key!, '--witness-name', name!]);
      assert.equal(w.code, 0, JSON.stringify(w.report) + w.stderr);
      assert.equal(w.report.witness?.name, name);
      const accepted = w.report.witness!.submitted.filter((s) => s.status === 200);
      assert.ok(accepted.length > 0, JSON.stringify(w.report.witness));
      const checkpoint = await getText(`${accepted[0]!.root}/checkpoint`);
      assert.match(checkpoint, new RegExp(`^— ${name!.replace(/[.]/g, '\\.')} `, 'm'));
      console.log(`# witness ${name} cosigned; ${accepted.length} root(s) publish it`);
    } else console.log('# the roots do not take outside witnesses yet (add-checkpoint 404)');
  }
});

test('Ctrl-C stops every root cleanly; each kept its own ledger', {
  timeout: 2 * STOP_TIMEOUT_MS,
}, async () => {
  const stopped = await devnet!.stop('SIGINT');
  const out = devnet!.output();
  assert.ok(stopped !== null, `devnet did not stop within ${STOP_TIMEOUT_MS} ms of SIGINT:\n${out}`);
  assert.equal(stopped.code, 0, `devnet exit after SIGINT:\n${out}`);
  assert.match(out, /stopped; data kept in/);
  // Every root wrote its own LedgerDB and shut down cleanly (no LOCK left held: a restart could open it).
  for (const name of MEMBERS) {
    assert.ok(existsSync(join(net, name, 'ledger')), `${name} has a ledger`);
    assert.ok(
      existsSync(join(net, name, 'federation')),
      `${name} has a folder for its federation key shares`,
    );
    assert.match(readFileSync(join(net, name, 'root.log'), 'utf8'), /root stopped/);
  }
});
