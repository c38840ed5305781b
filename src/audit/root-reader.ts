// What the auditor reads from one root (C2SP tlog-tiles §"Serving": GET /checkpoint,
// /tile/<L>/<N>[.p/<W>], /tile/entries/<N>[.p/<W>]; and GET /world), each answer bounded by
// what it can be, through the shared HTTP client (src/net: timeouts, retries, no redirects).

import { formatTilePath } from '../ledger/index.ts';
import { type HttpClient, normalizeBaseUrl } from '../net/index.ts';
import { BUNDLE_BYTES_MAX, CHECKPOINT_BYTES_MAX, JSON_BYTES_MAX, TILE_BYTES_MAX } from './constants.ts';
import { AuditError } from './errors.ts';

export class RootReader {
  /** The root's base URL, without a trailing slash. */
  readonly url: string;
  readonly #http: HttpClient;

  constructor(url: string, http: HttpClient) {
    this.url = normalizeBaseUrl(url);
    this.#http = http;
  }

  checkpoint(): Promise<string> {
    return this.#http.getText(`${this.url}/checkpoint`, { bytesMax: CHECKPOINT_BYTES_MAX });
  }

  async tile(level: number, index: number, width: number): Promise<Uint8Array> {
    const url = `${this.url}/${formatTilePath({ level, index, width })}`;
    const bytes = await this.#http.getBytes(url, { bytesMax: TILE_BYTES_MAX });
    if (bytes.length !== width * 32) {
      throw new AuditError('BAD_RESPONSE', `${url} has ${bytes.length} bytes, expected ${width * 32}`);
    }
    return bytes;
  }

  bundle(index: number, width: number): Promise<Uint8Array> {
    const url = `${this.url}/${formatTilePath({ level: 'entries', index, width })}`;
    return this.#http.getBytes(url, { bytesMax: BUNDLE_BYTES_MAX });
  }

  world(): Promise<unknown> {
    return this.#http.getJson(`${this.url}/world`, { bytesMax: JSON_BYTES_MAX });
  }
}
