// The node-key signer the core calls: Ed25519 is deterministic (RFC 8032 §5.1.6), so signing
// inside the pure step keeps it a function of its inputs.
import { signVote } from '../wire/index.ts';
import { signProposal } from './proposal.ts';
import type { Signer } from './tendermint.ts';

export function nodeKeySigner(nodeSecretKey: Uint8Array): Signer {
  return {
    vote: (body) => signVote(body, nodeSecretKey),
    proposal: (fields, value) => signProposal(fields, value, nodeSecretKey),
  };
}
