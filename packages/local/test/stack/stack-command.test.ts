import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStackDown, runStackStatus, runStackUp } from '@books/cli';
import { stopRecordedStack } from '../../src/stack';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe('books stack with no stack recorded', () => {
  const home = mkdtempSync(join(tmpdir(), 'books-stack-cli-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('status says stopped and exits 3', async () => {
    const { io, out } = capture();
    expect(await runStackStatus({ home, json: false }, io)).toBe(3);
    expect(out.join('')).toBe(`stack: stopped (no stack recorded under ${home})\n`);
  });

  it('status --json prints the state as JSON', async () => {
    const { io, out } = capture();
    await runStackStatus({ home, json: true }, io);
    expect(JSON.parse(out.join(''))).toEqual({ state: 'stopped', home });
  });

  it('down succeeds and says nothing was running', async () => {
    const { io, out } = capture();
    expect(await runStackDown({ home }, io)).toBe(0);
    expect(out.join('')).toMatch(/^stack: not running/);
  });
});

describe('books stack up', () => {
  const home = mkdtempSync(join(tmpdir(), 'books-stack-up-'));
  afterAll(async () => {
    await stopRecordedStack(home);
    rmSync(home, { recursive: true, force: true });
  });

  it('leaves the sample bars the functions read under sls invoke local, before any run', async () => {
    const { io, out, err } = capture();
    expect(await runStackUp({ home, stage: 'local', inMemory: true }, io)).toBe(0);
    expect(err.join('')).toBe('');
    expect(existsSync(join(home, 'sample-bars', 'SPY.csv'))).toBe(true);
    expect(out.join('')).toContain(`sample bars: generated`);
  }, 60_000);
});
