// Request loggers made when first used. Fastify gives every request a child of the listener's
// logger bound to its request id (reqId), made before any hook runs: a pino child serialises its
// bindings into a new logger object, on every request, while a root logs a request only when it
// fails (5xx). A DeferredLogger's child holds its parent, bindings and options, and makes the
// pino child on the first line it logs, so the lines of a failed request carry its reqId as
// before.
//
// It is handed to fastify as the listener's logger (loggerInstance), whose child() fastify calls
// per request, rather than through childLoggerFactory: fastify checks every logger a custom
// factory returns, on every request, which would cost about what the deferral saves.

import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

export class DeferredLogger implements FastifyBaseLogger {
  /** The logger this one is a child of; undefined for the one over() wraps, made from the start. */
  readonly #parent: DeferredLogger | undefined;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions | undefined;
  #made: FastifyBaseLogger | undefined;

  /** `logger` itself, whose children (and theirs) are made when they first log. */
  static over(logger: FastifyBaseLogger): DeferredLogger {
    const deferred = new DeferredLogger(undefined, {}, undefined);
    deferred.#made = logger;
    return deferred;
  }

  private constructor(
    parent: DeferredLogger | undefined,
    bindings: Bindings,
    options: ChildLoggerOptions | undefined,
  ) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  #logger(): FastifyBaseLogger {
    this.#made ??= this.#parent!.#logger().child(this.#bindings, this.#options);
    return this.#made;
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    // A copy: fastify changes the options object it made its own logger with after the call.
    return new DeferredLogger(this, bindings, options === undefined ? undefined : { ...options });
  }

  get level(): string {
    return this.#made?.level ?? this.#options?.level ?? this.#parent!.level;
  }

  set level(level: string) {
    this.#logger().level = level;
  }

  #write(level: Level, args: unknown[]): void {
    const logger = this.#logger();
    Reflect.apply(logger[level], logger, args);
  }

  fatal(...args: unknown[]): void {
    this.#write('fatal', args);
  }

  error(...args: unknown[]): void {
    this.#write('error', args);
  }

  warn(...args: unknown[]): void {
    this.#write('warn', args);
  }

  info(...args: unknown[]): void {
    this.#write('info', args);
  }

  debug(...args: unknown[]): void {
    this.#write('debug', args);
  }

  trace(...args: unknown[]): void {
    this.#write('trace', args);
  }

  silent(): void {}
}
