import type { Span } from './ast';

/**
 * Stable error codes: those of DSL.md "Errors", plus ARGUMENT (a wrong argument kind) and SCORE (a
 * Composer score tree that does not fit its format). docs/dsl.md lists each with when it is raised.
 */
export const ERROR_CODES = [
  'PARSE',
  'UNKNOWN_OPERATOR',
  'ARITY',
  'ARGUMENT',
  'SCORE',
  'NO_DATA',
  'INSUFFICIENT_DATA',
  'EMPTY_PORTFOLIO',
  'NO_BRANCH',
  'INVALID_WEIGHTS',
  'LIMIT',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** A failure as it leaves the engine: enough for a strategy author to find and fix the cause. */
export interface DslError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The operator of the failing form, when the failure is tied to a call. */
  readonly form?: string;
  readonly symbol?: string;
  readonly date?: string;
}

/**
 * A failure inside the engine, returned as a value (never thrown). `span` is the failing form;
 * `day` the calendar index of the evaluation that failed, when it is tied to a date.
 */
export class Failure {
  constructor(
    readonly code: ErrorCode,
    readonly message: string,
    readonly span: Span,
    readonly form?: string,
    readonly symbol?: string,
    readonly date?: string,
  ) {}
}

/** Longest message, form or symbol text an error carries: hostile input may quote megabytes. */
export const MAX_ERROR_TEXT = 240;

function bounded(text: string): string {
  return text.length <= MAX_ERROR_TEXT ? text : `${text.slice(0, MAX_ERROR_TEXT - 1)}…`;
}

export function toDslError(f: Failure, file: string): DslError {
  const base = { code: f.code, message: bounded(f.message), file, line: f.span.line, column: f.span.column };
  return {
    ...base,
    ...(f.form === undefined ? {} : { form: bounded(f.form) }),
    ...(f.symbol === undefined ? {} : { symbol: bounded(f.symbol) }),
    ...(f.date === undefined ? {} : { date: f.date }),
  };
}

/** `file:line:column: CODE message` — the one-line form printed by tools. */
export function formatDslError(e: DslError): string {
  return `${e.file}:${e.line}:${e.column}: ${e.code} ${e.message}`;
}

export type Result<T, E = DslError[]> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: E };
