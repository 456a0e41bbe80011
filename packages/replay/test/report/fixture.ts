import type { ReportData, ReportDay, ReportTrade } from '../../src/report/model';

/** A hand-made report: two strategies, one with a hostile name, three days, one BREAK. */
export const HOSTILE = '<img src=x onerror="alert(1)">';

function day(
  date: string,
  account: string,
  a: string,
  b: string | undefined,
  extra: Partial<ReportDay> = {},
): ReportDay {
  return {
    date,
    accountEquity: account,
    books: {
      alpha: { equity: a, flow: date === '2024-01-02' ? '30000' : '0' },
      ...(b !== undefined ? { [HOSTILE]: { equity: b, flow: date === '2024-01-03' ? '20000' : '0' } } : {}),
    },
    recon: { status: 'MATCH', cashStatus: 'MATCH', breaks: [] },
    run: {
      runId: `test-${date}`,
      runStatus: 'DONE',
      completeness: 'COMPLETE',
      strategies: [
        { strategyId: 'alpha', status: 'TRADED', orders: 2, finalOrders: 2, suppressed: 1 },
        {
          strategyId: HOSTILE,
          status: 'SKIPPED',
          reason: 'reason with <b>markup</b> & "quotes"',
          orders: 0,
          finalOrders: 0,
          suppressed: 0,
        },
      ],
      missing: [],
    },
    ...extra,
  };
}

function trade(date: string, strategyId: string, side: 'buy' | 'sell', symbol: string): ReportTrade {
  return {
    filledAt: `${date}T21:00:00.000Z`,
    date,
    strategyId,
    side,
    symbol,
    qty: '10',
    price: '100.5',
    value: side === 'buy' ? '1005.00' : '-1005.00',
    fees: '0.00',
    runId: `test-${date}`,
  };
}

export const FIXTURE: ReportData = {
  title: 'Fixture <report>',
  subtitle: 'stage test',
  generatedAt: '2024-01-05T00:00:00.000Z',
  strategies: ['alpha', HOSTILE],
  days: [
    day('2024-01-02', '100000', '30000', undefined),
    day('2024-01-03', '101000', '30900', '20000'),
    day('2024-01-04', '99000', '29500', '19500', {
      recon: {
        status: 'BREAK',
        cashStatus: 'MATCH',
        breaks: [{ symbol: 'A&B"C', status: 'DRIFT', unexplained: '3', strategies: ['alpha'] }],
      },
      run: {
        runId: 'test-2024-01-04',
        runStatus: 'PLANNED',
        completeness: 'STUCK',
        strategies: [{ strategyId: 'alpha', status: 'PLANNED', orders: 2, finalOrders: 1, suppressed: 0 }],
        missing: ['alpha: BUY 3 SPY is SUBMITTED'],
      },
    }),
  ],
  trades: [
    trade('2024-01-02', 'alpha', 'buy', 'SPY'),
    trade('2024-01-02', 'alpha', 'buy', 'A&B"C'),
    trade('2024-01-03', HOSTILE, 'buy', 'QQQ'),
    trade('2024-01-04', 'alpha', 'sell', 'SPY'),
  ],
  notes: ['a note with <script>alert(2)</script>'],
};
