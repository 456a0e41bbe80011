import { randomBytes } from 'node:crypto';

/**
 * A name no other test uses: `<prefix>-<random>`, reduced to what table, queue and bucket names
 * all accept (lower-case letters, digits, "-"), at most `maxLength` characters.
 */
export function uniqueName(prefix: string, maxLength = 63): string {
  const suffix = randomBytes(6).toString('hex');
  const clean =
    prefix
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'test';
  return `${clean.slice(0, maxLength - suffix.length - 1).replace(/-+$/, '')}-${suffix}`;
}
