// The options the API tests build a server with when only the rate limit (or nothing) matters.

export const TEST_SERVER_OPTIONS = {
  bodyBytesMax: 1024,
  requestTimeoutMs: 5_000,
  eventLoopDelayMaxMs: 1_000,
  docs: false,
} as const;
