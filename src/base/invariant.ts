// Assertions for what cannot happen: a broken invariant is a bug in this program, not bad input
// or an operating fault, so nobody handles it — it crashes loudly with its stack, and the
// `witan` command reports it as a bug (exit 70). Bad input and faults are CodedErrors instead.

export class InvariantError extends Error {
  constructor(message: string) {
    super(`invariant violated: ${message}`);
    this.name = 'InvariantError';
  }
}

/** Throws InvariantError when `condition` is false; `message` names the rule that broke. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InvariantError(message);
}
