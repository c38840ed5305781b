// Shapes of what roots answer, as the dashboard reads them (src/api/root-schemas.ts is the
// contract), for checking the dashboard's JavaScript (ui/tsconfig.json). Fields marked optional
// are read when a root sends them and ignored otherwise, so a richer answer shows up without
// a change here. Types only: roots never serve this file.

export type Fraction = { num: number; den: number };
export type Endpoints = { p2p: string[]; http: string[] };
export type Member = {
  name: string;
  organisation: string;
  jurisdiction: string;
  nodeKey: string;
  governanceKey: string;
  endpoints: Endpoints;
  status: 'voting' | 'probation' | 'suspended';
  since: number;
  /** Present while the member's root is under notice for its duties (charter §21). */
  notice?: { epoch: number; duties: string[] };
};
export type Policy = {
  approvalThreshold: Fraction;
  policyChangeThreshold: Fraction;
  probationPeriodMs: number;
  checkpointFreshnessMs: number;
  seasoningPeriodMs?: number;
  removalThreshold?: Fraction;
  relay: { reservationsMax: number };
} & Record<string, unknown>;
export type World = {
  federation: string;
  version: number;
  previous: string | null;
  members: Member[];
  policy: Policy;
};
export type WorldAnswer = { version: number; hash: string; world: World };
export type Inclusion = {
  checkpointNote: string;
  inclusionProof: string[];
  entryIndex: number;
  treeSize: number;
};
export type WorldStep = { world: World; causes: string[]; proof: Inclusion };
export type ChainAnswer = { genesis: { world: World }; steps: WorldStep[]; head: Inclusion | null };
export type Change = { type: string; [key: string]: unknown };
export type Ballot = { choice: 'yes' | 'no' | 'abstain'; createdMs: number; id?: string; reason?: string };
export type Tally = {
  yes: number;
  no: number;
  abstain: number;
  voting: number;
  eligible: number;
  threshold: Fraction;
  needed: number;
  passes: boolean;
};
export type MotionAnswer = {
  id: string;
  status: string;
  author?: string;
  summary?: string;
  changes?: Change[];
  createdMs?: number;
  deadlineMs?: number;
  ballots?: Record<string, Ballot>;
  tally?: Tally;
  result?: string;
  reason?: string;
  index?: number;
  height?: number;
  worldVersion?: number;
};
export type MotionsAnswer = { open: MotionAnswer[]; decided: MotionAnswer[] };
export type StatusAnswer = {
  member: string | null;
  federation: string;
  worldVersion: number;
  height: number;
  consensus: { height: number; round: number; step: string; active: boolean };
  ledger: { size: number; checkpointCosigners: string[] };
  pending: number;
  peerId: string;
  peers: string[];
  lastCommit: { height: number; size: number; timeMs: number; atMs: number } | null;
  relay?: { reservations: number; circuits: number; relayedBytes: number };
  rendezvous?: { registrations: number };
  timeMs: number;
};
export type StatementAnswer = { id: string; status: string; index?: number; height?: number };
export type EntriesAnswer = { start: number; end: number; entries: string[] };

/** What dom.js builds elements from: nodes, text, nothing, or lists of these. */
export type Child = Node | string | number | null | undefined | false | Child[];
