const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Whether `text` is a UTC instant in the one form books accept (`Date#toISOString`, milliseconds):
 * lots and ledger keys sort by this text, so every timestamp must have the same shape.
 */
export function isIsoInstant(text: string): boolean {
  if (!ISO_INSTANT.test(text)) return false;
  const parsed = new Date(text);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString() === text;
}
