import type { FakeReply } from './fake-alpaca-state';

/** A non-trade activity row as Alpaca writes it (the spec's NonTradeActivities). */
export type FakeActivityRow = Readonly<Record<string, string | null>> & {
  readonly id: string;
  readonly activity_type: string;
};

const MAX_PAGE_SIZE = 100;

/**
 * The account's activities for `GET /v2/account/activities`: rows added by the test, answered
 * like Alpaca (direction desc by default, page_size ≤ 100, page_token = the id of the last row
 * of the previous page, activity_types or category filters, after/until on created_at or date).
 */
export class FakeActivities {
  private readonly rows: FakeActivityRow[] = [];

  add(...rows: FakeActivityRow[]): void {
    this.rows.push(...rows);
  }

  reply(params: URLSearchParams): FakeReply {
    const types = params.get('activity_types');
    const category = params.get('category');
    if (types !== null && category !== null) return error(422, 'category cannot be used with activity_types');
    const size = Number(params.get('page_size') ?? MAX_PAGE_SIZE);
    if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE)
      return error(422, 'page_size must be between 1 and 100');
    const direction = params.get('direction') ?? 'desc';
    if (direction !== 'asc' && direction !== 'desc') return error(422, 'invalid direction');
    const after = params.get('after');
    const until = params.get('until');
    const typeList = types?.split(',');
    let rows = this.rows
      .filter((r) => (typeList ? typeList.includes(r.activity_type) : true))
      .filter((r) => {
        if (category === 'trade_activity') return r.activity_type === 'FILL';
        if (category === 'non_trade_activity') return r.activity_type !== 'FILL';
        return true;
      })
      .filter((r) => (after === null ? true : at(r) > after))
      .filter((r) => (until === null ? true : at(r) < until))
      .sort((a, b) => a.id.localeCompare(b.id));
    if (direction === 'desc') rows = rows.reverse();
    const token = params.get('page_token');
    if (token !== null) {
      const k = rows.findIndex((r) => r.id === token);
      if (k < 0) return error(422, 'invalid page_token');
      rows = rows.slice(k + 1);
    }
    return { status: 200, body: JSON.stringify(rows.slice(0, size)) };
  }
}

function at(r: FakeActivityRow): string {
  return r.created_at ?? r.date ?? '';
}

function error(status: number, message: string): FakeReply {
  return { status, body: JSON.stringify({ code: 40010001, message }) };
}
