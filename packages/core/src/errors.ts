/**
 * Base of every named error of the project: a stable code, context for logs, and the `cause`. Its
 * `name` (the errorType Lambda reports, which a state machine's Retry matches, and a log line's
 * `type`) is the `errorName` its class states: the bundles are minified without esbuild's
 * keepNames, so a class's own `.name` is a mangled letter there. Every subclass states its name
 * in one line, `static override readonly errorName: string = 'OversellError';` (a subclass that
 * does not inherits its parent's): packages/local/test/deploy/error-names.test.ts bundles every
 * error class as the functions are bundled and checks each.
 */
export class BooksError extends Error {
  static readonly errorName: string = 'BooksError';

  constructor(
    readonly code: string,
    message: string,
    readonly context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.errorName;
  }
}

/** Input that does not satisfy a schema or rule; names what and where. */
export class ValidationError extends BooksError {
  static override readonly errorName: string = 'ValidationError';
  constructor(
    message: string,
    readonly issues: readonly ValidationIssue[],
    context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super('VALIDATION', message, context, options);
  }
}

export interface ValidationIssue {
  /** Dotted field path, e.g. `strategies.2.allocation`; empty for the whole document. */
  readonly path: string;
  readonly message: string;
}

export function formatIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((i) => `  - ${i.path === '' ? '(root)' : i.path}: ${i.message}`).join('\n');
}

/** A conditional write lost: somebody else changed the item first. */
export class ConcurrencyError extends BooksError {
  static override readonly errorName: string = 'ConcurrencyError';
  constructor(
    message: string,
    context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super('CONCURRENCY', message, context, options);
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
