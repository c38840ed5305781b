import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ZeroTierError, type ZeroTierErrorCode } from '../../src/zerotier/index.ts';
import { thrownCode } from '../helpers/thrown.ts';

/** The code of the ZeroTierError fn throws, or 'accepted'; any other exception fails the test. */
export function zerotierCode(fn: () => unknown): ZeroTierErrorCode | 'accepted' {
  return thrownCode(fn, ZeroTierError);
}

/** The vector identities (ledger/vectors/zerotier): real ZeroTier identities, their addresses derived from their keys. */
export function vectorIdentities(): string[] {
  const file = join(import.meta.dirname, '..', '..', 'ledger', 'vectors', 'zerotier', 'witan-vectors.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { identities: { public: string }[] }).identities.map(
    (i) => i.public,
  );
}
