/** Base of every named error of the project: a stable code, context for logs, and the `cause`. */
export class BooksError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input that does not satisfy a schema or rule; names what and where. */
export class ValidationError extends BooksError {
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
