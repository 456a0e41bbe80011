import { createLogger } from '../src';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const logger = createLogger(
    { service: 'test' },
    {
      destination: {
        write: (l: string) => {
          raw.push(l);
          lines.push(JSON.parse(l));
        },
      },
    },
  );
  return { logger, lines, raw };
}

describe('the logger', () => {
  it('puts the run, strategy and correlation ids on every line, null until bound', () => {
    const { logger, lines } = capture();
    logger.info('plain');
    logger.child({ runId: 'r-1' }).child({ strategyId: 'momentum' }).info({ correlationId: 'c-9' }, 'bound');
    expect(lines[0]).toMatchObject({
      service: 'test',
      runId: null,
      strategyId: null,
      correlationId: null,
      msg: 'plain',
    });
    expect(lines[1]).toMatchObject({
      runId: 'r-1',
      strategyId: 'momentum',
      correlationId: 'c-9',
      msg: 'bound',
    });
  });

  it('never writes a key twice on one line', () => {
    const { logger, raw } = capture();
    logger.child({ runId: 'r-1' }).info('x');
    expect(raw[0]?.match(/"runId"/g)).toHaveLength(1);
  });

  it('redacts secrets wherever they appear', () => {
    const { logger, raw } = capture();
    logger.info({ apiSecret: 's3cr3t', config: { password: 'hunter2', token: 'tok' } }, 'secrets');
    expect(raw.join('')).not.toMatch(/s3cr3t|hunter2|tok"/);
    expect(raw.join('')).toContain('[redacted]');
  });
});
