// The one bounded HTTP client for everything that talks to roots (docs/architecture.md):
// streaming size limits, timeouts, retries with backoff that honour Retry-After, no redirects.

export * from './constants.ts';
export { NetError, type NetErrorCode, type NetErrorDetails, type Problem } from './errors.ts';
export {
  HttpClient,
  type HttpClientOptions,
  type HttpMethod,
  type HttpReply,
  normalizeBaseUrl,
  type RequestOptions,
} from './http-client.ts';
export { type JsonItemsOptions, parseJsonItems } from './json-items.ts';
export { backoffMs, retryAfterMs } from './retry.ts';
