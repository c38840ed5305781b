// The canonical encoding of everything Witan signs or hashes. See ledger/LEDGER.md §Encoding.
export { bytesEqual, concatBytes, fromBase64, fromHex, toBase64, toHex, utf8Bytes } from './bytes.ts';
export {
  canonicalBytes,
  canonicalize,
  type DecodeLimits,
  decodeCanonical,
  type Json,
} from './canonical-json.ts';
export { DEFAULT_DEPTH_MAX, DEFAULT_DOCUMENT_BYTES_MAX, DOMAIN_PATTERN } from './constants.ts';
export { CodecError, type CodecErrorCode } from './errors.ts';
export { signingBytes } from './signing-bytes.ts';
