// What a synchronous call refused with, for tests that list many inputs and the code each gets.

/**
 * The `code` of the error of class `kind` that `fn` throws, or 'accepted' when it returns; any
 * other exception is thrown on, so it fails the test instead of passing for a refusal.
 */
export function thrownCode<E extends Error & { code: string }>(
  fn: () => unknown,
  kind: abstract new (...args: never[]) => E,
): E['code'] | 'accepted' {
  try {
    fn();
  } catch (error) {
    if (error instanceof kind) return error.code;
    throw error;
  }
  return 'accepted';
}
