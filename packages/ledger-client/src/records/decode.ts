import type * as z from 'zod';
import { fromItem, type Item } from '../attribute-codec';
import { CorruptItemError } from '../errors';

/** Parses an item with its record schema; a mismatch is a CorruptItemError naming the key and fields. */
export function decodeItem<S extends z.ZodType>(schema: S, item: Item, what: string): z.output<S> {
  const plain = fromItem(item);
  const parsed = schema.safeParse(plain);
  if (parsed.success) return parsed.data;
  const where = `${String(plain.PK)} / ${String(plain.SK)}`;
  const problems = parsed.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ');
  throw new CorruptItemError(`${what} ${where} is not valid: ${problems}`, {
    PK: plain.PK,
    SK: plain.SK,
    problems,
  });
}
