import type * as z from 'zod';
import { calendarDay } from '../calendar';
import type { Account, Asset, BrokerOrder, CalendarDay, MarketClock, Position } from '../port';
import type {
  AccountPayload,
  AssetPayload,
  CalendarDayPayload,
  ClockPayload,
  OrderPayload,
  PositionPayload,
} from './payloads';

export function toAccount(p: z.output<typeof AccountPayload>): Account {
  return { equity: p.equity, cash: p.cash, buyingPower: p.buying_power };
}

/**
 * A position with its sign taken from `side`: a short is negative whatever sign Alpaca wrote its
 * qty and market value with (it writes them negative today; a positive qty on a short row must not
 * turn the short into a long).
 */
export function toPosition(p: z.output<typeof PositionPayload>): Position {
  const short = p.side === 'short';
  return {
    symbol: p.symbol,
    qty: short ? p.qty.abs().negated() : p.qty.abs(),
    avgEntryPrice: p.avg_entry_price,
    marketValue: short ? p.market_value.abs().negated() : p.market_value.abs(),
  };
}

export function toClock(p: z.output<typeof ClockPayload>): MarketClock {
  return { timestamp: p.timestamp, isOpen: p.is_open, nextOpen: p.next_open, nextClose: p.next_close };
}

export function toCalendarDay(p: z.output<typeof CalendarDayPayload>): CalendarDay {
  return calendarDay(p.date, p.open, p.close);
}

export function toAsset(p: z.output<typeof AssetPayload>): Asset {
  return { symbol: p.symbol, status: p.status, tradable: p.tradable, fractionable: p.fractionable };
}

export function toOrder(p: z.output<typeof OrderPayload>): BrokerOrder {
  return {
    id: p.id,
    clientOrderId: p.client_order_id,
    symbol: p.symbol,
    side: p.side,
    type: p.type,
    status: p.status,
    qty: p.qty,
    notional: p.notional ?? null,
    limitPrice: p.limit_price ?? null,
    filledQty: p.filled_qty,
    filledAvgPrice: p.filled_avg_price,
    submittedAt: p.submittedAt,
    filledAt: p.filled_at,
  };
}
