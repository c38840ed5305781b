// Layer 0: what every module shares and nothing else — the coded-error base class, invariant()
// for what cannot happen, the BFT quorum rule, a bounded LRU map, this release's version and how
// to name a sibling module by URL. Pure; imports nothing but package.json (for the version).
export { CodedError } from './errors.ts';
export { InvariantError, invariant } from './invariant.ts';
export { Lru } from './lru.ts';
export { siblingModuleUrl } from './module-url.ts';
export { quorumSize } from './quorum.ts';
export { WITAN_VERSION } from './version.ts';
