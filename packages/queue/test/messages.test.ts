import { clientOrderIdFor, Money, Quantity, RunId, StrategyId, Symbol, Weight } from '@books/core';
import {
  MalformedMessageError,
  parseExecutionMessage,
  type StrategyExecutionRequested,
  serializeExecutionMessage,
} from '../src';

function aSellRequest(): StrategyExecutionRequested {
  const runId = RunId('local-2025-03-03');
  const strategyId = StrategyId('momentum');
  const symbol = Symbol('BRK/B');
  return {
    type: 'StrategyExecutionRequested',
    version: 1,
    flow: 'per-strategy',
    run_id: runId,
    strategy_id: strategyId,
    dsl_file: 'momentum.clj',
    allocation: Weight.parse('0.3'),
    trade: {
      symbol,
      direction: 'SELL',
      target_qty: Quantity.parse('1.333333333'),
      target_value: Money.parse('612.34'),
    },
    strategy_capital: Money.parse('30000'),
    correlation_id: 'local-2025-03-03/momentum',
    timestamp: '2025-03-03T20:30:00.000Z',
    leg: 0,
    client_order_id: clientOrderIdFor({ runId, strategyId, symbol, side: 'sell', leg: 0 }),
  };
}

describe('execution messages', () => {
  it('round-trips through JSON with decimals as exact strings', () => {
    const message = aSellRequest();
    const body = serializeExecutionMessage(message);
    expect(body).toContain('"target_qty":"1.333333333"');
    expect(body).toContain('"strategy_capital":"30000"');
    const back = parseExecutionMessage('m-1', body);
    expect(back.trade.target_qty.toString()).toBe('1.333333333');
    expect(back.client_order_id).toBe(message.client_order_id);
  });

  it('names every malformed field and the message id', () => {
    const wire = JSON.parse(serializeExecutionMessage(aSellRequest()));
    wire.trade.target_qty = 1.5;
    wire.trade.direction = 'HOLD';
    delete wire.run_id;
    try {
      parseExecutionMessage('m-42', JSON.stringify(wire));
      throw new Error('expected a MalformedMessageError');
    } catch (e) {
      expect(e).toBeInstanceOf(MalformedMessageError);
      const message = (e as MalformedMessageError).message;
      expect(message).toMatch(/^malformed execution message m-42: /);
      expect(message).toContain('run_id');
      expect(message).toContain('trade.direction');
      expect(message).toContain('trade.target_qty: quantity must be a decimal string');
    }
  });

  it('reports a body that is not JSON', () => {
    expect(() => parseExecutionMessage('m-7', '{not json')).toThrow(/m-7: body is not JSON/);
  });

  it('rejects unknown fields rather than ignoring them', () => {
    const wire = { ...JSON.parse(serializeExecutionMessage(aSellRequest())), qty: '5' };
    expect(() => parseExecutionMessage('m-8', JSON.stringify(wire))).toThrow(/Unrecognized key/);
  });
});
