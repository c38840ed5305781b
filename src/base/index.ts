// Layer 0: what every module shares and nothing else — the coded-error base class, invariant()
// for what cannot happen, and the BFT quorum rule. Pure; imports nothing.
export { CodedError } from './errors.ts';
export { InvariantError, invariant } from './invariant.ts';
export { quorumSize } from './quorum.ts';
export { WITAN_VERSION } from './version.ts';
