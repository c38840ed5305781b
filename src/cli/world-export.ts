// `witan world export --format zerotier-planet|zerotier-moon [--version N] --out FILE`: the
// ZeroTier planet (or moon) a root serves — the newest signed one, or the one world N made (a
// world makes one only when its planet changes; the root's refusal names the one in force) —
// written as the file a ZeroTier node reads (its `planet` file, or a `moons.d/<id>.moon`). The bytes are checked before they are
// written: a world ZeroTier can parse, of the type asked for, whose signature verifies under
// the key the planet itself names (for the first planet) — ZeroTier's own update rule checks
// later ones against the planet a node already has.

import { writeFileSync } from 'node:fs';
import { parseWorld, verifyWorldSignature, type World, ZeroTierError } from '../zerotier/index.ts';
import { CliError, EXIT_REJECTED, usage } from './errors.ts';
import { say } from './output.ts';
import type { RootApi } from './root-api.ts';

export const EXPORT_FORMATS = ['chain', 'zerotier-planet', 'zerotier-moon'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function parseExportFormat(text: unknown): ExportFormat {
  const format = String(text ?? 'chain');
  if (!(EXPORT_FORMATS as readonly string[]).includes(format))
    throw usage(`--format ${format}: use one of ${EXPORT_FORMATS.join(', ')}`);
  return format as ExportFormat;
}

export function parseVersion(text: unknown): number | undefined {
  if (text === undefined) return undefined;
  const s = String(text);
  if (!/^[1-9][0-9]{0,14}$/.test(s)) throw usage(`--version ${s}: a world version is a whole number from 1`);
  return Number(s);
}

export async function exportZeroTier(
  root: RootApi,
  type: 'planet' | 'moon',
  version: number | undefined,
  out: string | undefined,
): Promise<World> {
  if (out === undefined) throw usage(`--out <file> is required: a ${type} is binary`);
  const bytes = await root.zeroTierWorld(type, version);
  let world: World;
  try {
    world = parseWorld(bytes);
  } catch (e) {
    if (!(e instanceof ZeroTierError)) throw e;
    throw new CliError(
      EXIT_REJECTED,
      `the root at ${root.baseUrl} served a ${type} ZeroTier cannot read: ${e.message}`,
    );
  }
  if (world.type !== type)
    throw new CliError(EXIT_REJECTED, `the root served a ${world.type}, not a ${type}`);
  writeFileSync(out, bytes);
  const selfSigned = verifyWorldSignature(world, world.updatesMustBeSignedBy);
  say(
    `Wrote ${out}: ZeroTier ${type} ${world.id}, timestamp ${world.timestamp} (world v${world.timestamp}), ${world.roots.length} roots, ${bytes.length} bytes${selfSigned ? ', signed by the key it names' : ', signed by the key of the world before it'}`,
  );
  return world;
}
