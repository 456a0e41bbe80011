import { parseJsonLossless } from '@books/alpaca';
import { rawRowOf, toActivity } from '../src';

function read(json: string) {
  const row = rawRowOf(parseJsonLossless(json));
  if (!row) throw new Error('not a row');
  return toActivity(row);
}

describe('reading a non-trade activity row', () => {
  it('reads amounts written as JSON numbers exactly, from their text', () => {
    const a = read(
      '{"id":"1::a","activity_type":"DIV","date":"2024-03-01","symbol":"SPY","net_amount":0.30000000000000004,"qty":3}',
    );
    expect(a.kind === 'dividend' && a.netAmount.toString()).toBe('0.30000000000000004');
    expect(a.raw.net_amount).toBe('0.30000000000000004');
  });

  it('keeps a row whose field does not read as unsupported, with the reason and the raw row', () => {
    const a = read(
      '{"id":"2::b","activity_type":"SPLIT","activity_sub_type":"FSPLIT","date":"2024-03-01","symbol":"SPY","qty":"many"}',
    );
    expect(a.kind).toBe('unsupported');
    expect(a.kind === 'unsupported' && a.reason).toMatch(/qty: expected a decimal/);
    expect(a.raw.qty).toBe('many');
    expect(a.id).toBe('2::b');
  });

  it('keeps the status of a correction or cancellation, and the group id', () => {
    const a = read(
      '{"id":"3::c","activity_type":"CSD","date":"2024-03-01T00:00:00Z","net_amount":"-5","status":"canceled","group_id":"g1"}',
    );
    expect([a.kind, a.status, a.groupId, a.date]).toEqual(['account_cash', 'canceled', 'g1', '2024-03-01']);
  });

  it('reads a split of unknown sub-type as unsupported rather than guessing its direction', () => {
    const a = read('{"id":"4::d","activity_type":"SPLIT","date":"2024-03-01","symbol":"SPY","qty":"1"}');
    expect(a.kind === 'unsupported' && a.reason).toMatch(/unknown sub-type/);
  });
});
