import { buildDigest, type DigestInput, periodBases, pnlBetween, redactSecrets, renderDigest } from '../src';

const input = (over: Partial<DigestInput> = {}): DigestInput => ({
  stage: 'local',
  date: '2024-03-15',
  runId: 'local-2024-03-15',
  runStatus: 'DISPATCHED',
  books: [
    {
      strategyId: 'momentum',
      status: 'PLANNED',
      targets: [{ symbol: 'SPY', weight: '0.5' }],
      trades: [{ side: 'buy', symbol: 'SPY', qty: '2', state: 'FILLED' }],
      fills: [{ side: 'buy', symbol: 'SPY', qty: '2', price: '500.10' }],
      valuation: {
        now: { equity: '10250.00', transfers: '10000' },
        cash: '9000.2',
        bases: {
          day: { equity: '10200', transfers: '10000' },
          month: { equity: '5100', transfers: '5000' },
        },
      },
    },
  ],
  breaks: [],
  controls: [{ label: 'flow of momentum', value: 'per-strategy' }],
  ...over,
});

describe('the digest', () => {
  it('counts P&L net of the capital transferred in: funding is not profit', () => {
    // 10 250 − 10 000 now; 5 100 − 5 000 at the month's base: +150 this month though 5 000 came in.
    const [book] = buildDigest(input()).books;
    expect(book?.pnl).toEqual({ day: '50.00', month: '150.00', year: '250.00' });
    expect(book?.equity).toBe('10250.00');
    expect(book?.cash).toBe('9000.20');
  });

  it('takes a book that did not exist at a base as zero there', () => {
    expect(pnlBetween(undefined, { equity: '1000', transfers: '1000' })).toBe('0.00');
    expect(pnlBetween(undefined, { equity: '990.5', transfers: '1000' })).toBe('-9.50');
  });

  it('shows no P&L for a book whose P&L is not its own (the LEGACY book)', () => {
    const digest = buildDigest(
      input({ books: [{ strategyId: 'LEGACY', status: 'PLANNED', targets: [], trades: [], fills: [] }] }),
    );
    expect(digest.books[0]?.pnl).toBeUndefined();
    expect(renderDigest(digest).text).not.toContain('P&L');
  });

  it.each([
    ['a Monday', '2024-03-18', { day: '2024-03-17', month: '2024-02-29', year: '2023-12-31' }],
    ['the first of a year', '2024-01-02', { day: '2024-01-01', month: '2023-12-31', year: '2023-12-31' }],
  ])(
    'measures periods of %s from the closes on or before the day before, the month end, the year end',
    (_w, date, bases) => {
      expect(periodBases(date)).toEqual(bases);
    },
  );

  it('totals the fills, trades and breaks of every book', () => {
    const digest = buildDigest(
      input({ breaks: [{ subject: 'SPY', status: 'DRIFT', detail: 'broker 3, books 2' }] }),
    );
    expect(digest.totals).toEqual({ fills: 1, trades: 1, breaks: 1 });
    expect(renderDigest(digest).subject).toBe('strategy-books local 2024-03-15: 1 fill(s), 1 break(s)');
  });
});

describe('the rendered digest', () => {
  it('has a plain-text part with every book, its fills, its P&L, the breaks and the controls', () => {
    const text = renderDigest(
      buildDigest(input({ breaks: [{ subject: 'SPY', status: 'DRIFT', detail: 'broker 3, books 2' }] })),
    ).text;
    expect(text).toContain('■ momentum  [PLANNED]');
    expect(text).toContain('targets   SPY 50.0%');
    expect(text).toContain('fill buy 2 SPY @ 500.10');
    expect(text).toContain('P&L day 50.00  month 150.00  year 250.00');
    expect(text).toContain('DRIFT SPY: broker 3, books 2');
    expect(text).toContain('flow of momentum: per-strategy');
  });

  it('escapes every value in the HTML part: a hostile error or reason is text, never markup', () => {
    const hostile = '<script>alert("x")</script> & \'quoted\'';
    const html = renderDigest(
      buildDigest(
        input({
          books: [
            {
              strategyId: 'momentum',
              status: 'FAILED',
              error: hostile,
              targets: [],
              trades: [{ side: 'buy', symbol: 'SPY', qty: '1', state: 'REJECTED', reason: hostile }],
              fills: [],
            },
          ],
          controls: [{ label: '<img src=x onerror=alert(1)>', value: hostile }],
        }),
      ),
    ).html;
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quoted&#39;');
  });
});

describe('never a secret in a message', () => {
  const secrets = [
    'PKLIVEKEY1234567',
    'sEcReT/with<html>&chars',
    'https://hooks.example.com/services/T000/B000/XXXX',
  ];

  it('redacts every known secret wherever it appears: subject, text, and escaped in the HTML', () => {
    const leaking = input({
      runStatus: `DISPATCHED ${secrets[0]}`,
      books: [
        {
          strategyId: 'momentum',
          status: 'FAILED',
          error: `401 from the broker for key ${secrets[0]} secret ${secrets[1]} posting to ${secrets[2]}`,
          targets: [],
          trades: [],
          fills: [],
        },
      ],
    });
    const message = redactSecrets(renderDigest(buildDigest(leaking)), secrets);
    for (const part of [message.subject, message.text, message.html])
      for (const secret of secrets) {
        expect(part).not.toContain(secret);
        expect(part).not.toContain(secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
      }
    expect(message.text).toContain('[redacted]');
    expect(message.html).toContain('[redacted]');
  });

  it('leaves a message without secrets as it is, and ignores values too short to be secrets', () => {
    const message = renderDigest(buildDigest(input()));
    expect(redactSecrets(message, ['SPY', ''])).toEqual(message);
  });
});
