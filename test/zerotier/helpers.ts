import { ZeroTierError, type ZeroTierErrorCode } from '../../src/zerotier/index.ts';

/** The code of the ZeroTierError fn throws, or 'accepted'; any other exception fails the test. */
export function zerotierCode(fn: () => unknown): ZeroTierErrorCode | 'accepted' {
  try {
    fn();
  } catch (error) {
    if (error instanceof ZeroTierError) return error.code;
    throw error;
  }
  return 'accepted';
}
