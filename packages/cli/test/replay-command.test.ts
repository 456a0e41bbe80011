import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadReplayConfig } from '@books/replay';
import { daysFrom, sampleBarsDir } from '@books/testkit';
import { replayCommand } from '../src/commands/replay';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t), errIsTTY: false },
    out,
    err,
  };
}

const noSignals = { onInterrupt: () => () => {} };
/** An interrupt (Ctrl-C) that has already arrived when the replay starts. */
const interruptNow = {
  onInterrupt(listener: () => void) {
    listener();
    return () => {};
  },
};

describe('books replay (the command)', () => {
  jest.setTimeout(300_000);
  const home = mkdtempSync(join(tmpdir(), 'books-replay-cli-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  const [from, , to] = daysFrom('2024-10-01', 3);
  const args = {
    from: from ?? '',
    to: to ?? '',
    data: sampleBarsDir(),
    stage: 'replay',
    cash: '100000',
    json: false,
    home,
  };

  it('stops after the current day on an interrupt (exit 130), then the same command continues to the end', async () => {
    const first = capture();
    expect(await replayCommand(args, first.io, interruptNow)).toBe(130);
    expect(first.out.join('')).toContain('incomplete: 1/3 days; run the same command to continue');
    expect(first.err.join('')).toMatch(/\[[#-]+\] 1\/3 days/);

    const second = capture();
    expect(await replayCommand(args, second.io, noSignals)).toBe(0);
    const text = second.out.join('');
    expect(text).toContain(`replay ${from} … ${to}: 3 trading days`);
    expect(text).toMatch(/^breakout\s/m);
    expect(text).toMatch(/^mean_reversion\s/m);
    expect(text).toMatch(/^momentum\s/m);
    expect(text).toContain('reconciliation: 3/3 days MATCH, 0 with breaks');
    expect(second.err.join('')).toContain(`state: ${join(home, 'replay-replay.json')}`);
  });

  it('rejects a --from after --to with exit 2 before starting anything', async () => {
    const c = capture();
    expect(await replayCommand({ ...args, from: '2024-12-01', to: '2024-11-01' }, c.io, noSignals)).toBe(2);
    expect(c.err.join('')).toContain('--from 2024-12-01 is after --to 2024-11-01');
  });
});

describe('the replay configuration', () => {
  it('refuses a configuration whose strategy files do not sit beside it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'books-replay-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(
      file,
      JSON.stringify({
        strategies: [{ file: 'momentum.clj', allocation: '0.5', flow: 'per-strategy', enabled: true }],
      }),
    );
    expect(() => loadReplayConfig(file)).toThrow(/momentum\.clj/);
    rmSync(dir, { recursive: true, force: true });
  });
});
