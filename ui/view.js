// What the page knows at one refresh, as the sections read it. app.js fills it in; the
// render-*.js modules only read it.

/**
 * @typedef {import('./health.js').RootReading} RootReading
 * @typedef {import('./health.js').RootHealth} RootHealth
 * @typedef {{
 *   world: import('./types.js').World, worldHash: string,
 *   nowMs: number,
 *   status: import('./types.js').StatusAnswer,
 *   note: import('./note.js').CheckpointNote | null,
 *   chain: import('./types.js').ChainAnswer | null,
 *   motions: import('./types.js').MotionsAnswer | null,
 *   roots: { reading: RootReading, health: RootHealth }[],
 *   ledger: import('./ledger.js').LedgerHistory,
 *   statement: (id: string) => (Record<string, unknown> & { kind: string, author: string, createdMs: number }) | undefined,
 *   samples: Samples,
 *   clockRate: number,
 * }} View
 * @typedef {{
 *   size: [number, number][], cosigners: [number, number][], witnesses: [number, number][],
 *   reservations: Map<string, [number, number][]>, registrations: Map<string, [number, number][]>,
 * }} Samples
 */

/**
 * Members who cosign checkpoints (voting and probation) and the quorum of the voting ones.
 * @param {import('./types.js').World} world
 */
export function cosigning(world) {
  const cosigners = world.members.filter((m) => m.status === 'voting' || m.status === 'probation');
  const voting = world.members.filter((m) => m.status === 'voting').length;
  return { names: new Set(cosigners.map((m) => m.name)), voting };
}

/**
 * The world in force just before ledger entry `index`: the newest world committed before it.
 * @param {import('./types.js').ChainAnswer} chain
 * @param {number} index
 */
export function worldBefore(chain, index) {
  let world = chain.genesis.world;
  for (const step of chain.steps) {
    if (step.proof.entryIndex >= index) break;
    world = step.world;
  }
  return world;
}

/**
 * The world version whose causes include this statement, if any.
 * @param {import('./types.js').ChainAnswer | null} chain
 * @param {string} id
 */
export function worldMadeBy(chain, id) {
  return chain?.steps.find((s) => s.causes.includes(id))?.world.version;
}
