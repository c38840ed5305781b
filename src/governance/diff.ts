// What a motion would change, as people read it: each change of a motion against a world,
// field by field, old → new. A member admitted has no old values, a member removed no new
// ones; an update names only the fields it really changes; a policy change lists every policy
// field whose value differs ("relay.reservationsMax"). Pure, and it never judges: whether the
// changes fit the world is applyChanges' question (changes.ts); this only describes them, so
// it also describes a motion that was rejected because its target was gone (old: null).

import type { Json } from '../codec/index.ts';
import { descriptorOf, type Member, type World } from './model.ts';
import type { Policy } from './policy.ts';
import type { Change, ChangeType } from './statement-types.ts';

/** One field of a member or of the policy: its value before and after; null where there is none. */
export interface FieldChange {
  /** A member field ("organisation", "endpoints.http") or a policy field ("relay.reservationsMax"). */
  field: string;
  old: Json;
  new: Json;
}

export interface ChangeDiff {
  type: ChangeType;
  /** The member the change is about; null for a policy change. */
  member: string | null;
  fields: FieldChange[];
}

/** A member's fields people compare, in the order they read them. */
function memberFields(m: Member | undefined): [string, Json][] {
  if (m === undefined) return [];
  const d = descriptorOf(m);
  return [
    ['organisation', d.organisation],
    ['jurisdiction', d.jurisdiction],
    ['status', m.status],
    ['nodeKey', d.nodeKey],
    ['governanceKey', d.governanceKey],
    ['endpoints.p2p', d.endpoints.p2p],
    ['endpoints.http', d.endpoints.http],
    // Only while under notice (charter §21), so a member without one shows no such field.
    ...(m.notice === undefined ? [] : [['notice', m.notice as unknown as Json] as [string, Json]]),
  ];
}

function same(a: Json, b: Json): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Leaves of a JSON object as dotted paths, in key order. */
function leaves(value: Json, prefix: string, out: Map<string, Json>): Map<string, Json> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !isFraction(value)) {
    for (const key of Object.keys(value).sort()) {
      leaves(value[key] as Json, prefix === '' ? key : `${prefix}.${key}`, out);
    }
  } else out.set(prefix, value);
  return out;
}

/** A threshold is read as one value ("2/3"), never as two fields. */
function isFraction(value: object): boolean {
  const keys = Object.keys(value);
  return keys.length === 2 && keys.includes('num') && keys.includes('den');
}

function policyFields(before: Policy, after: Policy): FieldChange[] {
  const old = leaves(before as unknown as Json, '', new Map());
  const now = leaves(after as unknown as Json, '', new Map());
  const names = [...new Set([...old.keys(), ...now.keys()])].sort();
  return names.flatMap((field) => {
    const a = old.get(field) ?? null;
    const b = now.get(field) ?? null;
    return same(a, b) ? [] : [{ field, old: a, new: b }];
  });
}

function describe(world: World, c: Change): ChangeDiff {
  if (c.type === 'change-policy') {
    return { type: c.type, member: null, fields: policyFields(world.policy, c.policy) };
  }
  const name = c.type === 'admit' ? c.candidate.name : c.member;
  const before = world.members.find((m) => m.name === name);
  const old = new Map(memberFields(before));
  const field = (f: string, next: Json): FieldChange => ({ field: f, old: old.get(f) ?? null, new: next });
  let fields: FieldChange[];
  if (c.type === 'admit') {
    const admitted: Member = { ...c.candidate, status: 'probation', since: 0 };
    fields = memberFields(admitted).map(([f, v]) => field(f, v));
  } else if (c.type === 'remove') {
    fields = memberFields(before).map(([f, v]) => ({ field: f, old: v, new: null }));
  } else if (c.type === 'reinstate') {
    fields = [field('status', 'probation')];
  } else if (c.type === 'replace-governance-key') {
    fields = [field('governanceKey', c.governanceKey)];
  } else if (c.type === 'probation') {
    fields = [field('status', 'probation')];
  } else {
    fields = [];
    if (c.organisation !== undefined) fields.push(field('organisation', c.organisation));
    if (c.jurisdiction !== undefined) fields.push(field('jurisdiction', c.jurisdiction));
    if (c.endpoints !== undefined) {
      fields.push(field('endpoints.p2p', c.endpoints.p2p), field('endpoints.http', c.endpoints.http));
    }
  }
  return { type: c.type, member: name, fields: fields.filter((f) => !same(f.old, f.new)) };
}

/** Each change of a motion described against `world` (the world in force, or the one it was decided in). */
export function diffChanges(world: World, changes: readonly Change[]): ChangeDiff[] {
  return changes.map((c) => describe(world, c));
}

/** What one member or the policy became from one world to the next. */
export interface WorldChange {
  /** joined / left / updated: a member (status, keys, endpoints…); policy: the policy. */
  change: 'joined' | 'left' | 'updated' | 'policy';
  /** The member; null for the policy. */
  member: string | null;
  fields: FieldChange[];
}

/**
 * Everything that differs between two consecutive worlds, whatever caused it — a motion, a
 * self-update, evidence, or the rules at batch time (a probation ending): members joined,
 * left or updated (their fields old → new, status included), then the policy. `before` null:
 * the genesis world, every member joined.
 */
export function diffWorlds(before: World | null, after: World): WorldChange[] {
  const out: WorldChange[] = [];
  const old = new Map((before?.members ?? []).map((m) => [m.name, m]));
  for (const m of after.members) {
    const was = new Map(memberFields(old.get(m.name)));
    const fields = memberFields(m)
      .map(([field, value]) => ({ field, old: was.get(field) ?? null, new: value }))
      .filter((f) => !same(f.old, f.new));
    if (!old.has(m.name)) out.push({ change: 'joined', member: m.name, fields });
    else if (fields.length > 0) out.push({ change: 'updated', member: m.name, fields });
  }
  const kept = new Set(after.members.map((m) => m.name));
  for (const m of before?.members ?? []) {
    if (kept.has(m.name)) continue;
    const fields = memberFields(m).map(([field, value]) => ({ field, old: value, new: null }));
    out.push({ change: 'left', member: m.name, fields });
  }
  if (before !== null) {
    const fields = policyFields(before.policy, after.policy);
    if (fields.length > 0) out.push({ change: 'policy', member: null, fields });
  }
  return out;
}
