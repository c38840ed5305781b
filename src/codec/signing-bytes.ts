// Domain-separated signing bytes: utf8(domain) || 0x0A || canonical bytes.
// The domain names what is being signed (a ballot, a prevote, a genesis), so a signature
// made for one purpose can never be replayed as another. The newline cannot occur in a
// domain tag, so the split between tag and document is unambiguous.

import { concatBytes, utf8Bytes } from './bytes.ts';
import { canonicalBytes, type Json } from './canonical-json.ts';
import { DOMAIN_BYTES_MAX, DOMAIN_PATTERN } from './constants.ts';
import { CodecError } from './errors.ts';

const NEWLINE = new Uint8Array([0x0a]);

export function signingBytes(domain: string, value: Json): Uint8Array {
  if (!DOMAIN_PATTERN.test(domain) || domain.length > DOMAIN_BYTES_MAX) {
    throw new CodecError('UNSUPPORTED_VALUE', `invalid signing domain ${JSON.stringify(domain)}`);
  }
  return concatBytes(utf8Bytes(domain), NEWLINE, canonicalBytes(value));
}
