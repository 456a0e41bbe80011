import { ValidationError } from '@books/core';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The canonical text of an instant, `YYYY-MM-DDTHH:mm:ss.sssZ`: keys built from it sort in time
 * order. Any ISO-8601 instant with a zone is accepted; anything else is a ValidationError.
 */
export function canonicalInstant(text: string, what = 'timestamp'): string {
  const date = new Date(text);
  if (!ISO_INSTANT.test(text) || Number.isNaN(date.getTime()))
    throw new ValidationError(`${what}: ${JSON.stringify(text)} is not an ISO-8601 instant`, [
      { path: what, message: 'expected an ISO-8601 instant such as 2026-01-02T15:30:00.000Z' },
    ]);
  return date.toISOString();
}

export function isCanonicalInstant(text: string): boolean {
  try {
    return canonicalInstant(text) === text;
  } catch {
    return false;
  }
}
