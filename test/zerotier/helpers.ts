import { ZeroTierError, type ZeroTierErrorCode } from '../../src/zerotier/index.ts';
import { thrownCode } from '../helpers/thrown.ts';

/** The code of the ZeroTierError fn throws, or 'accepted'; any other exception fails the test. */
export function zerotierCode(fn: () => unknown): ZeroTierErrorCode | 'accepted' {
  return thrownCode(fn, ZeroTierError);
}
