import { createLogger, ManualClock } from '@books/core';
import { LedgerTable, NotificationRepository } from '@books/ledger-client';
import { createTestTable, type TestTable } from '@books/testkit';
import { messageKey, type NotificationSink, type RenderedMessage, rememberedFanOut } from '../src';

const message: RenderedMessage = {
  kind: 'digest',
  date: '2024-03-15',
  subject: 'strategy-books prod 2024-03-15: 1 fill(s), 0 break(s)',
  html: '<p>x</p>',
  text: 'the digest\n',
  id: 'digest#prod-2024-03-15',
  about: { runId: 'prod-2024-03-15' },
};

/** A sink that records what it took, and fails while `down`. */
function sink(): NotificationSink & { taken: string[]; down: boolean } {
  const s = {
    taken: [] as string[],
    down: false,
    deliver: async (m: RenderedMessage) => {
      if (s.down) throw new Error('MessageRejected: Email address is not verified');
      s.taken.push(m.id ?? m.kind);
    },
  };
  return s;
}

describe('delivery through several sinks, each remembered (NOTIFICATION_SENT on DynamoDB Local)', () => {
  let test: TestTable;
  let log: NotificationRepository;
  const logged: unknown[] = [];
  // The error lines the delivery logs (warnings and below are not asserted).
  const logger = createLogger(
    { service: 'test' },
    { level: 'error', destination: { write: (line: string) => void logged.push(JSON.parse(line)) } },
  );
  const deps = () => ({ log, clock: new ManualClock('2024-03-15T20:05:00.000Z'), logger });

  beforeAll(async () => {
    test = await createTestTable('remembered-delivery');
    log = new NotificationRepository(new LedgerTable(test.client, test.tableName));
  });
  afterAll(() => test.cleanup());

  it('delivers through the others when one fails, fails the delivery, and on the retry sends only through the failed one', async () => {
    const [sns, ses] = [sink(), sink()];
    ses.down = true;
    const first = rememberedFanOut(
      [
        { name: 'sns', sink: sns },
        { name: 'ses', sink: ses },
      ],
      deps(),
    );
    await expect(first.deliver(message)).rejects.toThrow(
      '1 of 2 sink(s) failed to deliver digest#prod-2024-03-15',
    );
    expect(sns.taken).toEqual(['digest#prod-2024-03-15']);
    expect(logged).toEqual([
      expect.objectContaining({
        event: 'notification-sink-failed',
        sink: 'ses',
        messageKey: 'digest#prod-2024-03-15',
        runId: 'prod-2024-03-15',
      }),
    ]);

    // EventBridge's retry, in a fresh container: the topic is not sent the digest again.
    ses.down = false;
    const retry = rememberedFanOut(
      [
        { name: 'sns', sink: sns },
        { name: 'ses', sink: ses },
      ],
      deps(),
    );
    await retry.deliver(message);
    expect(sns.taken).toEqual(['digest#prod-2024-03-15']);
    expect(ses.taken).toEqual(['digest#prod-2024-03-15']);

    // A third delivery of the same message sends nothing.
    await retry.deliver(message);
    expect([...sns.taken, ...ses.taken]).toHaveLength(2);
    expect(await log.wasSent('digest#prod-2024-03-15', 'ses')).toBe(true);
  });

  it('remembers another message apart, and keys a message without an id by its date and kind', async () => {
    const ses = sink();
    const fanOut = rememberedFanOut([{ name: 'ses', sink: ses }], deps());
    const other = { ...message, id: 'digest#prod-2024-03-18', date: '2024-03-18' };
    const { id: _id, ...anonymous } = { ...message, date: '2024-03-19' };
    await fanOut.deliver(other);
    await fanOut.deliver(anonymous);
    await fanOut.deliver(anonymous);
    expect(ses.taken).toEqual(['digest#prod-2024-03-18', 'digest']);
    expect(messageKey(anonymous)).toBe('2024-03-19#digest');
  });
});
