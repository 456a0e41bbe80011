import { clientOrderIdFor, Money, Quantity, RunId, StrategyId, Symbol, Weight } from '@books/core';
import { MalformedMessageError, parseExecutionMessage, serializeExecutionMessage } from '../src';

function aWireRequest(): Record<string, unknown> {
  const runId = RunId('local-2025-03-03');
  const strategyId = StrategyId('momentum');
  const symbol = Symbol('SPY');
  return JSON.parse(
    serializeExecutionMessage({
      type: 'StrategyExecutionRequested',
      version: 1,
      flow: 'per-strategy',
      run_id: runId,
      strategy_id: strategyId,
      dsl_file: 'momentum.clj',
      allocation: Weight.parse('0.3'),
      trade: {
        symbol,
        direction: 'BUY',
        target_qty: Quantity.parse('2'),
        target_value: Money.parse('1000'),
      },
      strategy_capital: Money.parse('30000'),
      correlation_id: 'local-2025-03-03/momentum',
      timestamp: '2025-03-03T20:30:00.000Z',
      leg: 0,
      client_order_id: clientOrderIdFor({ runId, strategyId, symbol, side: 'buy', leg: 0 }),
    }),
  );
}

/** The problems parseExecutionMessage names for `body`, each as `field: message`. */
function problemsOf(body: string): readonly string[] {
  try {
    parseExecutionMessage('msg-1', body);
  } catch (e) {
    if (!(e instanceof MalformedMessageError)) throw e;
    expect(e.messageId).toBe('msg-1');
    expect(e.message).toMatch(/^malformed execution message msg-1: /);
    return e.problems;
  }
  return [];
}

function without(path: string): string {
  const message = aWireRequest();
  const [head, tail] = path.split('.');
  if (tail === undefined) delete message[head ?? ''];
  else delete (message[head ?? ''] as Record<string, unknown>)[tail];
  return JSON.stringify(message);
}

function withField(path: string, value: unknown): string {
  const message = aWireRequest();
  const [head, tail] = path.split('.');
  if (tail === undefined) message[head ?? ''] = value;
  else (message[head ?? ''] as Record<string, unknown>)[tail] = value;
  return JSON.stringify(message);
}

describe('malformed execution messages', () => {
  it('accepts the well-formed message these cases start from', () => {
    expect(problemsOf(JSON.stringify(aWireRequest()))).toEqual([]);
  });

  it.each([
    ['run_id'],
    ['strategy_id'],
    ['client_order_id'],
    ['trade'],
    ['trade.symbol'],
    ['trade.direction'],
    ['trade.target_qty'],
    ['strategy_capital'],
    ['leg'],
  ])('names the missing field %s', (field) => {
    const problems = problemsOf(without(field));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${field.replace('.', '\\.')}: `));
  });

  it.each([
    ['trade.target_qty', 'lots', 'trade.target_qty'],
    ['trade.target_qty', 2, 'trade.target_qty'],
    ['trade.symbol', 'not a ticker', 'trade.symbol'],
    ['trade.direction', 'HOLD', 'trade.direction'],
    ['strategy_capital', '1e6', 'strategy_capital'],
    ['allocation', '-0.3', 'allocation'],
    ['allocation', '1.5', 'allocation'],
    ['trade.target_qty', '0', 'trade.target_qty'],
    ['trade.target_qty', '-2', 'trade.target_qty'],
    ['strategy_capital', '-1', 'strategy_capital'],
    ['leg', -1, 'leg'],
    ['timestamp', 'yesterday', 'timestamp'],
    ['type', 'SomethingElse', 'type'],
    ['version', 2, 'version'],
    ['correlation_id', 'x'.repeat(201), 'correlation_id'],
  ])('names the invalid field %s = %j', (field, value, named) => {
    const problems = problemsOf(withField(field, value));
    expect(problems.some((p) => p.startsWith(`${named}: `))).toBe(true);
  });

  it('names an unknown field instead of ignoring it', () => {
    expect(problemsOf(withField('trade.limit_price', '10'))).toEqual([
      expect.stringMatching(/^trade: .*limit_price/),
    ]);
  });

  it.each([
    ['an empty body', ''],
    ['truncated JSON', JSON.stringify(aWireRequest()).slice(0, 40)],
    ['binary noise', '\u0000\u0001\uFFFF'],
  ])('reports %s as not JSON', (_, body) => {
    expect(problemsOf(body)).toEqual([expect.stringMatching(/^body is not JSON \(/)]);
  });

  it.each([
    ['null', 'null'],
    ['a number', '42'],
    ['an array', '[]'],
    ['a string', '"StrategyExecutionRequested"'],
  ])('reports a JSON body that is %s at the root', (_, body) => {
    expect(problemsOf(body)).toEqual([expect.stringMatching(/^\(root\): /)]);
  });
});
