import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { runCompletedEvent } from '@books/events';
import { parseRuntimeEnv } from '../src/env';
import { createEventPublisher, EventBridgePublisher } from '../src/event-bus';

const origin = { stage: 'test', occurredAt: '2024-03-15T20:00:00.000Z' };
const events = ['r1', 'r2', 'r3'].map((runId) =>
  runCompletedEvent(origin, { runId, tradingDate: '2024-03-15' }),
);

/** A client that records each PutEvents and answers with the given failures (by entry index). */
function client(failing: readonly number[] = []) {
  const sent: PutEventsCommand[] = [];
  return {
    sent,
    send: async (command: unknown) => {
      if (!(command instanceof PutEventsCommand)) throw new Error('only PutEvents is expected');
      sent.push(command);
      const entries = command.input.Entries ?? [];
      return {
        $metadata: {},
        FailedEntryCount: entries.filter((_, i) => failing.includes(i)).length,
        Entries: entries.map((_, i) =>
          failing.includes(i)
            ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }
            : { EventId: `e${i}` },
        ),
      };
    },
  };
}

describe('the EventBridge publisher', () => {
  it("sends each event on the stage's bus with its type as detail-type and its envelope as detail", async () => {
    const c = client();
    await new EventBridgePublisher(c, 'bus').publish(events);
    const entries = c.sent[0]?.input.Entries ?? [];
    expect(entries.map((e) => [e.EventBusName, e.Source, e.DetailType])).toEqual([
      ['bus', 'strategy-books', 'RunCompleted'],
      ['bus', 'strategy-books', 'RunCompleted'],
      ['bus', 'strategy-books', 'RunCompleted'],
    ]);
    expect(JSON.parse(entries[1]?.Detail ?? '{}')).toMatchObject({ id: 'RunCompleted:r2', stage: 'test' });
  });

  it('fails the publish when any entry is refused, naming the refused event, so the caller retries', async () => {
    const c = client([1]);
    await expect(new EventBridgePublisher(c, 'bus').publish(events)).rejects.toMatchObject({
      code: 'EVENTS_NOT_PUBLISHED',
      context: { failed: [{ id: 'RunCompleted:r2', code: 'InternalFailure' }] },
    });
  });

  it('makes its client at its first publish of events, not when the stage builds it (a cold start loads no EventBridge SDK)', async () => {
    const env = parseRuntimeEnv({
      BOOKS_STAGE: 'test',
      BOOKS_TABLE_NAME: 'strategy-books-test-ledger',
      BOOKS_BROKER_MODE: 'alpaca-paper',
      BOOKS_EXECUTION_QUEUE_NAME: 'strategy-books-test-execution',
      BOOKS_EVENT_BUS_NAME: 'bus',
      BOOKS_LOG_LEVEL: 'silent',
    });
    const c = client();
    let made = 0;
    const publisher = createEventPublisher(env, () => {
      made += 1;
      return c;
    });
    await publisher.publish([]);
    expect(made).toBe(0);
    await publisher.publish(events);
    await publisher.publish(events);
    expect({ made, sent: c.sent.length }).toEqual({ made: 1, sent: 2 });
  });
});
