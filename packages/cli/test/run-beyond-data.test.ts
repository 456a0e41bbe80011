import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CORPORATE_ACTIONS_FILE, parseCorporateActions, SAMPLE_CORPORATE_ACTIONS } from '@books/market-data';
import { runDailyCycle } from '../src/commands/run';

describe('books run beyond the sample data', () => {
  const previous = process.env.BOOKS_HOME;
  const home = mkdtempSync(join(tmpdir(), 'books-home-'));
  beforeAll(() => {
    process.env.BOOKS_HOME = home;
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.BOOKS_HOME;
    else process.env.BOOKS_HOME = previous;
  });

  it('says why nothing ran or traded, and writes the sample bars with their corporate actions', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runDailyCycle(
      { date: '2026-12-05', stage: 'local', json: false, dryRun: true },
      { out: (t) => out.push(t), err: (t) => err.push(t) },
    );
    expect(code).toBe(2);
    expect(err.join('')).toMatch(
      /nothing ran and nothing traded on 2026-12-05: the sample data ends on 2025-12-31.*STALE_DATA/,
    );
    const file = join(home, 'sample-bars', CORPORATE_ACTIONS_FILE);
    expect(existsSync(file)).toBe(true);
    expect(parseCorporateActions(readFileSync(file, 'utf8'), file)).toEqual(SAMPLE_CORPORATE_ACTIONS);
  });
});
