import type { JsonValue } from '@books/alpaca';
import { lazySchema } from '@books/core';
import * as z from 'zod';
import {
  ActivityEnvelope,
  type ListActivitiesQuery,
  type NonTradeActivity,
  rawRowOf,
  rawValueOf,
  toActivity,
} from '../activities';
import { MalformedBrokerPayload } from '../errors';
import { parsePayload } from './payloads';

/** Alpaca's largest page of activities. */
export const ACTIVITIES_PAGE_SIZE = 100;
/** Pages read before a listing is called malformed (a token that never ends the listing). */
const MAX_PAGES = 10_000;
const ENDPOINT = 'GET /v2/account/activities';

/** One page's GET: the response body read losslessly (the adapter's transport and error mapping). */
export type GetActivitiesPage = (pathAndQuery: string) => Promise<JsonValue | undefined>;

const Rows = lazySchema(() =>
  z.array(
    z.custom<JsonValue>(() => true),
    { error: 'expected an array of activities' },
  ),
);

/**
 * `GET /v2/account/activities`, every page (page_token = the id of the last row of the previous
 * page, oldest first), each row read as a typed non-trade activity. Trade rows (FILL) are never
 * asked for: without `types` the query asks for category=non_trade_activity. A row without an id
 * or activity type makes the listing malformed (it could not be posted once); any other row
 * that does not read as its type says is `unsupported`, kept with its raw row.
 */
export async function listAlpacaActivities(
  getPage: GetActivitiesPage,
  query: ListActivitiesQuery = {},
): Promise<NonTradeActivity[]> {
  const out: NonTradeActivity[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const params = new URLSearchParams({ direction: 'asc', page_size: String(ACTIVITIES_PAGE_SIZE) });
    if (query.types && query.types.length > 0) params.set('activity_types', query.types.join(','));
    else params.set('category', 'non_trade_activity');
    if (query.after !== undefined)
      params.set('after', typeof query.after === 'string' ? query.after : query.after.toISOString());
    if (token !== undefined) params.set('page_token', token);
    const rows = parsePayload(Rows(), await getPage(`/v2/account/activities?${params}`), ENDPOINT);
    rows.forEach((row, i) => {
      const raw = rawRowOf(row);
      const envelope = ActivityEnvelope.safeParse(raw);
      if (!envelope.success || raw === undefined)
        throw new MalformedBrokerPayload(ENDPOINT, [`${i}: an activity without an id or activity_type`]);
      if (seen.has(envelope.data.id)) return;
      seen.add(envelope.data.id);
      if (envelope.data.activity_type === 'FILL') return;
      out.push(toActivity(raw));
    });
    const last = rows.at(-1);
    if (rows.length < ACTIVITIES_PAGE_SIZE || last === undefined) return out;
    const next = ActivityEnvelope.parse(rawValueOf(last)).id;
    if (next === token) return out;
    token = next;
  }
  throw new MalformedBrokerPayload(ENDPOINT, [`more than ${MAX_PAGES} pages of activities`]);
}
