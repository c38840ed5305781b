// The one shape of every error a caller may handle: a stable `code` that scripts and the edges
// (HTTP statuses, exit codes) map, and a message for a person that says what happened and what
// to do next. Each module declares its codes as a string union and extends this class once;
// what cannot happen is not a CodedError but an invariant() (invariant.ts).

export class CodedError<Code extends string = string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    // The subclass's own name (CodecError, LedgerError, …), so logs and stacks say which module.
    this.name = new.target.name;
    this.code = code;
  }
}
