// JSON Schemas (draft 2020-12 compatible, via TypeBox) of the governance documents: member,
// world, policy, statements and genesis. They describe the shapes for other
// implementations and for HTTP route validation; the strict readers in model.ts, policy.ts and
// statements.ts remain the authority and check what a schema cannot say (members sorted by
// name, keys valid Ed25519 points, normalised URLs, policy floors). The files in
// governance/schemas/ are generated from these by scripts/gen-governance-vectors.ts.

// Declaration emit (the package's .d.ts) names TypeBox's symbol keys through these imports.
// biome-ignore lint/correctness/noUnusedImports: used by the emitted declarations only
import type { Hint, Kind, OptionalKind, ReadonlyKind } from '@sinclair/typebox';
import { type TSchema, Type } from '@sinclair/typebox';
import { VOTE_HEIGHT_MAX, VOTE_ROUND_MAX } from '../wire/index.ts';
import { EXCLUSION_REASONS } from './ceremony-state.ts';
import {
  BALLOT_REASON_CHARS_MAX,
  ENDPOINT_CHARS_MAX,
  FRACTION_DEN_MAX,
  HEIGHT_MAX,
  HTTP_ENDPOINTS_MAX,
  MEMBERS_MAX,
  MOTION_CHANGES_MAX,
  ORGANISATION_CHARS_MAX,
  P2P_ENDPOINTS_MAX,
  TIME_MS_MAX,
  WITNESS_NAME_PATTERN,
  WITNESSES_MAX,
  ZEROTIER_ENDPOINTS_MAX,
} from './constants.ts';
import { ISO_3166_ALPHA2 } from './countries.ts';
import { DUTY_PROBES_PER_EPOCH_MAX } from './duty-report.ts';
import { VERDICT_ACTIONS, WORLD_CAUSES_MAX } from './entry.ts';
import { DUTIES } from './policy.ts';
import { EVIDENCE_NOTE_CHARS_MAX, SUMMARY_CHARS_MAX } from './statements.ts';

const strict = { additionalProperties: false } as const;
const PublicKey = Type.String({
  pattern: '^[A-Za-z0-9+/]{43}=$',
  description: 'base64 of a 32-byte Ed25519 public key (canonical point, not of small order)',
});
const Signature = Type.String({
  pattern: '^[A-Za-z0-9+/]{86}==$',
  description: 'base64 of a 64-byte Ed25519 signature',
});
const Hash = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'lowercase hex SHA-256' });
const Name = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,30}[a-z0-9]$' });
const Federation = Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{0,62}[a-z0-9]$' });
const TimeMs = Type.Integer({
  minimum: 0,
  maximum: TIME_MS_MAX,
  description: 'ledger milliseconds since the Unix epoch',
});
const Count = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const MlDsaKey = Type.String({
  pattern: '^[A-Za-z0-9+/]{1750}==$',
  description: 'base64 of a 1,312-byte ML-DSA-44 public key (FIPS 204)',
});
const WorldId = Type.String({
  pattern: '^[1-9][0-9]{0,19}$',
  description:
    "a ZeroTier world id: a u64 above 0 in decimal, not ZeroTier's Earth (149604618) or Mars (227883110)",
});
const Hex = (bytes: number, description: string) =>
  Type.String({
    pattern: `^[0-9a-f]{${2 * bytes}}$`,
    description: `${description} (${bytes} bytes, lowercase hex)`,
  });

export const FractionSchema = Type.Object(
  {
    num: Type.Integer({ minimum: 0, maximum: FRACTION_DEN_MAX }),
    den: Type.Integer({ minimum: 1, maximum: FRACTION_DEN_MAX }),
  },
  strict,
);

export const PolicySchema = Type.Object(
  {
    approvalThreshold: FractionSchema,
    policyChangeThreshold: FractionSchema,
    motionTtlMs: Count,
    maxAdmissionsPerEpoch: Count,
    epochMs: Count,
    probationPeriodMs: Count,
    jurisdictionShareMax: FractionSchema,
    batchStatementsMax: Count,
    statementAgeMaxMs: Count,
    checkpointFreshnessMs: Count,
    seasoningPeriodMs: Type.Optional(Count),
    privateEndpointsAllowed: Type.Optional(Type.Boolean()),
    removalThreshold: Type.Optional(FractionSchema),
    selfUpdatesPerWindowMax: Type.Optional(Count),
    selfUpdateWindowMs: Type.Optional(Count),
    recovery: Type.Optional(
      Type.Object(
        {
          silenceMs: Count,
          timeLockMs: Count,
          witnesses: Type.Array(
            Type.Object(
              {
                name: Type.String({ pattern: WITNESS_NAME_PATTERN.source }),
                key: PublicKey,
              },
              strict,
            ),
            { maxItems: WITNESSES_MAX, description: 'sorted by name, names and keys unique' },
          ),
          witnessQuorum: Count,
        },
        { ...strict, description: 'charter §20' },
      ),
    ),
    duties: Type.Optional(
      Type.Object(
        {
          epochMs: Count,
          graceEpochs: Count,
          successMin: Type.Object(
            Object.fromEntries(DUTIES.map((d) => [d, FractionSchema])) as Record<
              (typeof DUTIES)[number],
              typeof FractionSchema
            >,
            strict,
          ),
        },
        { ...strict, description: 'absent: the defaults of governance/policy.md (charter §21)' },
      ),
    ),
    relay: Type.Object(
      {
        reservationsMax: Count,
        circuitBytesMax: Count,
        circuitDurationMs: Count,
        connectionsPerIpPerSecond: Count,
        pendingConnectionsMax: Count,
      },
      strict,
    ),
    rendezvous: Type.Object(
      {
        ttlMinS: Count,
        ttlMaxS: Count,
        registrationsPerPeerMax: Count,
        registrationsPerNamespaceMax: Count,
        discoverLimitMax: Count,
      },
      strict,
    ),
    federationKey: Type.Optional(
      Type.Object(
        { phaseMs: Count },
        { ...strict, description: 'present: the voting members hold a FROST federation key (charter §22)' },
      ),
    ),
    mlDsaRequiredFromVersion: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: HEIGHT_MAX,
        description:
          'from this world version on, a quorum counts a member only with its ML-DSA-44 cosignature too',
      }),
    ),
    zerotier: Type.Optional(
      Type.Object(
        {
          worldId: WorldId,
          planetRootsMax: Type.Integer({ minimum: 1, maximum: 4 }),
          moonWorldId: Type.Optional(WorldId),
        },
        {
          ...strict,
          description: 'the planet (and moon) each world yields (charter §23); needs federationKey',
        },
      ),
    ),
  },
  {
    ...strict,
    description: 'Floors and ranges: governance/policy.md',
  },
);

export const EndpointsSchema = Type.Object(
  {
    p2p: Type.Array(
      Type.String({
        minLength: 2,
        maxLength: ENDPOINT_CHARS_MAX,
        pattern: '^(/[\\x21-\\x2e\\x30-\\x7e]+)+$',
      }),
      { minItems: 1, maxItems: P2P_ENDPOINTS_MAX, uniqueItems: true },
    ),
    http: Type.Array(Type.String({ minLength: 8, maxLength: ENDPOINT_CHARS_MAX, pattern: '^https?://' }), {
      minItems: 1,
      maxItems: HTTP_ENDPOINTS_MAX,
      uniqueItems: true,
    }),
  },
  strict,
);

const descriptorFields = {
  name: Name,
  organisation: Type.String({ minLength: 1, maxLength: ORGANISATION_CHARS_MAX }),
  jurisdiction: Type.Union(
    ISO_3166_ALPHA2.map((c) => Type.Literal(c)),
    { description: 'ISO 3166-1 alpha-2' },
  ),
  nodeKey: PublicKey,
  governanceKey: PublicKey,
  endpoints: EndpointsSchema,
  mlDsaKey: Type.Optional(MlDsaKey),
  zerotier: Type.Optional(
    Type.Object(
      {
        identity: Type.String({
          pattern: '^[0-9a-f]{10}:0:[0-9a-f]{128}$',
          description:
            "ZeroTier's public identity text; the address derives from the key by ZeroTier's identity hash",
        }),
        endpoints: Type.Array(Type.String({ maxLength: 64, description: 'ip/port as ZeroTier writes it' }), {
          minItems: 1,
          maxItems: ZEROTIER_ENDPOINTS_MAX,
          uniqueItems: true,
        }),
      },
      { ...strict, description: "the member's ZeroTier root, a candidate for the planet (charter §23)" },
    ),
  ),
};

export const MemberDescriptorSchema = Type.Object(descriptorFields, strict);

const DutySchema = Type.Union(DUTIES.map((d) => Type.Literal(d)));
const DutyList = (minItems: number) =>
  Type.Array(DutySchema, {
    minItems,
    maxItems: DUTIES.length,
    uniqueItems: true,
    description: `in the order ${DUTIES.join(', ')}`,
  });

export const MemberSchema = Type.Object(
  {
    ...descriptorFields,
    status: Type.Union([Type.Literal('voting'), Type.Literal('probation'), Type.Literal('suspended')]),
    since: TimeMs,
    notice: Type.Optional(
      Type.Object(
        { epoch: Type.Integer({ minimum: 0, maximum: TIME_MS_MAX }), duties: DutyList(1) },
        { ...strict, description: 'present while the member is under notice for its duties (charter §21)' },
      ),
    ),
  },
  strict,
);

/** The federation key a world carries (charter §22, ledger/LEDGER.md §9.1). */
export const FederationKeySchema = Type.Object(
  {
    session: Hash,
    threshold: Type.Integer({ minimum: 2, maximum: MEMBERS_MAX }),
    publicKey: PublicKey,
    participants: Type.Array(Type.Object({ member: Name, verifyingShare: PublicKey }, strict), {
      minItems: 2,
      maxItems: MEMBERS_MAX,
      description: "sorted by member; each verifying share checks that member's signature shares",
    }),
  },
  { ...strict, description: 'recomputed by the rules from the DKG transcript in the ledger' },
);

export const WorldSchema = Type.Object(
  {
    federation: Federation,
    version: Type.Integer({ minimum: 1, maximum: HEIGHT_MAX }),
    previous: Type.Union([Hash, Type.Null()], {
      description: 'worldHash of version − 1; null exactly for version 1',
    }),
    members: Type.Array(MemberSchema, {
      minItems: 1,
      maxItems: MEMBERS_MAX,
      description: 'sorted by name, names unique',
    }),
    policy: PolicySchema,
    federationKey: Type.Optional(FederationKeySchema),
  },
  {
    ...strict,
    description: 'worldHash = lowercase hex SHA-256 of the RFC 8785 canonical bytes',
  },
);

export const ChangeSchema = Type.Union([
  Type.Object(
    {
      type: Type.Literal('admit'),
      candidate: MemberDescriptorSchema,
      candidateSignatures: Type.Object(
        { governance: Signature, node: Signature },
        {
          ...strict,
          description:
            'the candidate\'s governance key and node key, each over \'witan/v1/governance/candidate\' || 0x0A || canonical bytes of {"candidate": candidate, "federation": federation}',
        },
      ),
    },
    strict,
  ),
  Type.Object({ type: Type.Literal('remove'), member: Name }, strict),
  Type.Object(
    { type: Type.Literal('reinstate'), member: Name },
    { ...strict, description: 'a suspended member back in probation' },
  ),
  Type.Object(
    {
      type: Type.Literal('update-member'),
      member: Name,
      organisation: Type.Optional(descriptorFields.organisation),
      jurisdiction: Type.Optional(descriptorFields.jurisdiction),
      endpoints: Type.Optional(EndpointsSchema),
    },
    strict,
  ),
  Type.Object(
    {
      type: Type.Literal('replace-governance-key'),
      member: Name,
      governanceKey: PublicKey,
      keySignature: {
        ...Signature,
        description:
          'the new governance key over \'witan/v1/governance/key-possession\' || 0x0A || canonical bytes of {"federation", "key": governanceKey, "member", "role": "governance"}',
      },
    },
    strict,
  ),
  Type.Object({ type: Type.Literal('change-policy'), policy: PolicySchema }, strict),
  Type.Object({ type: Type.Literal('probation'), member: Name }, strict),
]);

const base = { federation: Federation, author: Name, createdMs: TimeMs };
/** A signed consensus vote (prevote or precommit), as evidence and commit certificates carry it. */
export const SignedVoteSchema = Type.Object(
  {
    federation: Type.String({ minLength: 1, maxLength: 128 }),
    height: Type.Integer({ minimum: 1, maximum: VOTE_HEIGHT_MAX }),
    round: Type.Integer({ minimum: 0, maximum: VOTE_ROUND_MAX }),
    type: Type.Union([Type.Literal('prevote'), Type.Literal('precommit')]),
    valueId: Type.Union([Hash, Type.Null()]),
    validator: PublicKey,
    signature: Signature,
  },
  {
    ...strict,
    description:
      "signature: the validator's node key over 'witan/v1/consensus/vote' || 0x0A || canonical bytes of the vote without its signature",
  },
);
const Note = Type.String({ minLength: 1, maxLength: EVIDENCE_NOTE_CHARS_MAX });

/** Proof of equivocation: two conflicting votes, or one member's cosignatures on two trees. */
export const EvidenceSchema = Type.Union([
  Type.Object({ type: Type.Literal('votes'), first: SignedVoteSchema, second: SignedVoteSchema }, strict),
  Type.Object({ type: Type.Literal('checkpoints'), member: Name, first: Note, second: Note }, strict),
]);

const ProbeCountSchema = Type.Object(
  {
    attempted: Type.Integer({ minimum: 0, maximum: DUTY_PROBES_PER_EPOCH_MAX }),
    succeeded: Type.Integer({ minimum: 0, maximum: DUTY_PROBES_PER_EPOCH_MAX, description: '≤ attempted' }),
  },
  strict,
);

/** What one root saw of another over a duty epoch. */
export const ObservationSchema = Type.Object(
  { member: Name, ...Object.fromEntries(DUTIES.map((d) => [d, ProbeCountSchema])) },
  strict,
);

const Session = { ...Hash, description: 'the DKG session id' };
const RootStatementSchemas = [
  Type.Object(
    {
      kind: Type.Literal('dkg-commitment'),
      ...base,
      session: Session,
      commitment: Type.Array(Hex(32, 'a point of the VSS commitment'), {
        minItems: 2,
        maxItems: MEMBERS_MAX,
      }),
      proofOfKnowledge: Hex(64, 'Schnorr proof of knowledge of the first coefficient'),
      sealingKey: Hex(32, 'X25519 key of this session, to which the others seal their shares'),
    },
    strict,
  ),
  Type.Object(
    {
      kind: Type.Literal('dkg-shares'),
      ...base,
      session: Session,
      shares: Type.Array(
        Type.Object(
          {
            to: Name,
            nonce: Hex(24, 'XChaCha20-Poly1305 nonce'),
            ciphertext: Hex(48, 'the sealed 32-byte share and its tag'),
          },
          strict,
        ),
        {
          minItems: 1,
          maxItems: MEMBERS_MAX - 1,
          description: 'one per other participant, sorted by recipient',
        },
      ),
    },
    strict,
  ),
  Type.Object(
    { kind: Type.Literal('dkg-confirmation'), ...base, session: Session, publicKey: PublicKey },
    strict,
  ),
  Type.Object(
    {
      kind: Type.Literal('dkg-complaint'),
      ...base,
      session: Session,
      accused: Name,
      sealingSecret: Hex(32, "the complainer's X25519 sealing secret of this session, revealed"),
    },
    strict,
  ),
  Type.Object(
    {
      kind: Type.Literal('federation-signature'),
      ...base,
      version: Type.Integer({ minimum: 1, maximum: HEIGHT_MAX }),
      worldNote: Type.Array(Signature, { minItems: 1, maxItems: 2 }),
      planet: Type.Optional(Signature),
      moon: Type.Optional(Signature),
    },
    strict,
  ),
];

export const StatementSchema = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('motion'),
      ...base,
      parentWorld: Type.Object(
        { hash: Hash, version: Type.Integer({ minimum: 1, maximum: HEIGHT_MAX }) },
        strict,
      ),
      deadlineMs: TimeMs,
      changes: Type.Array(ChangeSchema, { minItems: 1, maxItems: MOTION_CHANGES_MAX }),
      summary: Type.Optional(Type.String({ minLength: 1, maxLength: SUMMARY_CHARS_MAX })),
    },
    strict,
  ),
  Type.Object(
    {
      kind: Type.Literal('ballot'),
      ...base,
      motion: Hash,
      choice: Type.Union([Type.Literal('yes'), Type.Literal('no'), Type.Literal('abstain')]),
      reason: Type.Optional(Type.String({ minLength: 1, maxLength: BALLOT_REASON_CHARS_MAX })),
    },
    strict,
  ),
  Type.Object(
    {
      kind: Type.Literal('evidence'),
      ...base,
      evidence: EvidenceSchema,
    },
    strict,
  ),
  Type.Object(
    {
      kind: Type.Literal('self-update'),
      ...base,
      endpoints: Type.Optional(EndpointsSchema),
      nodeKey: Type.Optional(PublicKey),
      nodeKeySignature: Type.Optional({
        ...Signature,
        description:
          'with nodeKey: the new node key over \'witan/v1/governance/key-possession\' || 0x0A || canonical bytes of {"federation", "key": nodeKey, "member": author, "role": "node"}',
      }),
      mlDsaKey: Type.Optional(MlDsaKey),
      zerotier: Type.Optional(descriptorFields.zerotier),
    },
    strict,
  ),
  Type.Object(
    {
      kind: Type.Literal('duty-report'),
      ...base,
      epoch: Type.Integer({ minimum: 0, maximum: TIME_MS_MAX }),
      observations: Type.Array(ObservationSchema, {
        maxItems: MEMBERS_MAX - 1,
        description: 'sorted by member, each once, never the author',
      }),
    },
    { ...strict, description: "signed by the author's node key (charter §21)" },
  ),
  ...RootStatementSchemas,
]);

export const SignedStatementSchema = Type.Object(
  { statement: StatementSchema, signature: Signature },
  {
    ...strict,
    description:
      "signature: Ed25519 by the author's governance key (its node key for duty-report, dkg-* and federation-signature) over 'witan/v1/governance/<kind>' || 0x0A || canonical bytes of statement; the canonical bytes of this whole object are at most 60,000",
  },
);

export const SignedGenesisSchema = Type.Object(
  {
    world: WorldSchema,
    signatures: Type.Array(Type.Object({ member: Name, signature: Signature }, strict), {
      minItems: 1,
      maxItems: MEMBERS_MAX,
      description: 'one per founder, sorted by member name',
    }),
  },
  strict,
);

/** A signed recovery (charter §20): what the remaining members and a witness quorum sign. */
export const SignedRecoverySchema = Type.Object(
  {
    recovery: Type.Object(
      {
        federation: Federation,
        height: Type.Integer({
          minimum: 1,
          maximum: HEIGHT_MAX,
          description: "one more than the last batch's",
        }),
        timeMs: TimeMs,
        base: Type.Object(
          {
            size: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
            rootHash: Hash,
            worldHash: Hash,
          },
          {
            ...strict,
            description: 'the ledger as the last batch left it: size, RFC 6962 root, world in force',
          },
        ),
        remove: Type.Array(Name, { minItems: 1, maxItems: MEMBERS_MAX, description: 'sorted, unique' }),
      },
      strict,
    ),
    members: Type.Array(Type.Object({ member: Name, signature: Signature }, strict), {
      minItems: 1,
      maxItems: MEMBERS_MAX,
      description: 'every voting member it keeps, by governance key, sorted by name',
    }),
    witnesses: Type.Array(
      Type.Object(
        { witness: Type.String({ pattern: WITNESS_NAME_PATTERN.source }), signature: Signature },
        strict,
      ),
      { minItems: 1, maxItems: WITNESSES_MAX, description: "the policy's witnesses, sorted by name" },
    ),
  },
  {
    ...strict,
    description: "every signature over 'witan/v1/governance/recovery' || 0x0A || canonical bytes of recovery",
  },
);

/** A ledger entry (ledger/LEDGER.md §1.2): the canonical JSON of exactly one of these objects. */
export const EntrySchema = Type.Union(
  [
    Type.Object({ kind: Type.Literal('genesis'), genesis: SignedGenesisSchema }, strict),
    Type.Object(
      {
        kind: Type.Literal('batch'),
        height: Type.Integer({ minimum: 1, maximum: HEIGHT_MAX }),
        timeMs: TimeMs,
        proposer: Name,
      },
      strict,
    ),
    Type.Object({ kind: Type.Literal('statement'), statement: SignedStatementSchema }, strict),
    Type.Object(
      { kind: Type.Literal('recovery'), recovery: SignedRecoverySchema },
      { ...strict, description: 'the header of a batch of its own (charter §20)' },
    ),
    Type.Object(
      {
        kind: Type.Literal('world'),
        world: WorldSchema,
        causes: Type.Array(Hash, {
          maxItems: WORLD_CAUSES_MAX,
          description: 'ids of the statements that changed the world, in the order they took effect',
        }),
      },
      strict,
    ),
    Type.Object(
      {
        kind: Type.Literal('outcome'),
        motion: Hash,
        result: Type.Union([Type.Literal('passed'), Type.Literal('expired'), Type.Literal('rejected')]),
        reason: Type.Optional(
          Type.String({
            pattern: '^[A-Z][A-Z0-9_]*$',
            maxLength: 64,
            description: 'present exactly when result is rejected: the rejection code',
          }),
        ),
      },
      strict,
    ),
    Type.Object(
      {
        kind: Type.Literal('verdict'),
        epoch: Type.Integer({ minimum: 0, maximum: TIME_MS_MAX }),
        member: Name,
        below: DutyList(0),
        action: Type.Union(VERDICT_ACTIONS.map((a) => Type.Literal(a))),
        motion: Type.Optional({ ...Hash, description: 'present exactly when action is motion' }),
      },
      { ...strict, description: 'a duty verdict that changed or kept a notice (charter §21)' },
    ),
    Type.Object(
      {
        kind: Type.Literal('ceremony'),
        session: Hash,
        excluded: Type.Array(
          Type.Object(
            {
              member: Name,
              reason: Type.Union(EXCLUSION_REASONS.map((r) => Type.Literal(r))),
            },
            strict,
          ),
          { minItems: 1, maxItems: MEMBERS_MAX },
        ),
        next: Type.Union([Hash, Type.Null()]),
      },
      { ...strict, description: 'a DKG ceremony that leaves members out and restarts (charter §22)' },
    ),
  ],
  { description: 'at most 65,535 bytes of canonical JSON, nesting depth at most 32' },
);

/** The schema files of governance/schemas/, as JSON text, each with its $id and title. */
export function governanceSchemaFiles(): Record<string, string> {
  const files: [string, string, TSchema][] = [
    ['member', 'Witan member', MemberSchema],
    ['policy', 'Witan policy', PolicySchema],
    ['world', 'Witan world', WorldSchema],
    ['statement', 'Witan signed statement', SignedStatementSchema],
    ['genesis', 'Witan signed genesis', SignedGenesisSchema],
    ['recovery', 'Witan signed recovery', SignedRecoverySchema],
    ['entry', 'Witan ledger entry', EntrySchema],
  ];
  return Object.fromEntries(
    files.map(([name, title, schema]) => {
      const doc = {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $id: `${name}.schema.json`,
        title,
        ...schema,
      };
      return [`${name}.schema.json`, `${JSON.stringify(doc, null, 2)}\n`];
    }),
  );
}
