import * as z from 'zod';
import { FakeActivities, type FakeActivityRow } from '../src/alpaca';

const row = (n: number, type = 'CSD'): FakeActivityRow => ({
  id: `2024010${n}000000000::${n}`,
  activity_type: type,
  date: `2024-01-0${n}`,
  net_amount: '1',
});

const ids = (reply: { status: number; body: string }) =>
  z
    .array(z.object({ id: z.string() }))
    .parse(JSON.parse(reply.body))
    .map((r) => r.id.split('::')[1]);

describe("the fake Alpaca server's account activities", () => {
  const activities = new FakeActivities();
  activities.add(row(1), row(2, 'FILL'), row(3, 'DIV'), row(4), row(5));

  it('answers newest first by default, like Alpaca, and oldest first with direction=asc', () => {
    expect(ids(activities.reply(new URLSearchParams()))).toEqual(['5', '4', '3', '2', '1']);
    expect(ids(activities.reply(new URLSearchParams({ direction: 'asc' })))).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
    ]);
  });

  it('pages by page_token (the last id of the previous page) and filters by category, types and after', () => {
    const first = activities.reply(new URLSearchParams({ direction: 'asc', page_size: '2' }));
    expect(ids(first)).toEqual(['1', '2']);
    const next = new URLSearchParams({ direction: 'asc', page_size: '2', page_token: row(2).id });
    expect(ids(activities.reply(next))).toEqual(['3', '4']);
    expect(
      ids(activities.reply(new URLSearchParams({ direction: 'asc', category: 'non_trade_activity' }))),
    ).toEqual(['1', '3', '4', '5']);
    expect(ids(activities.reply(new URLSearchParams({ activity_types: 'DIV,FILL' })))).toEqual(['3', '2']);
    expect(ids(activities.reply(new URLSearchParams({ direction: 'asc', after: '2024-01-03' })))).toEqual([
      '4',
      '5',
    ]);
  });

  it('refuses what Alpaca refuses: category with activity_types, a page_size over 100, an unknown token', () => {
    expect(
      activities.reply(new URLSearchParams({ category: 'trade_activity', activity_types: 'DIV' })).status,
    ).toBe(422);
    expect(activities.reply(new URLSearchParams({ page_size: '101' })).status).toBe(422);
    expect(activities.reply(new URLSearchParams({ page_token: 'nope' })).status).toBe(422);
  });
});
