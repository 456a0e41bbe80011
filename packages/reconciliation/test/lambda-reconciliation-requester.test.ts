import { InvokeCommand } from '@aws-sdk/client-lambda';
import {
  LambdaReconciliationRequester,
  reconciliationRequesterFromEnv,
} from '../src/adapters/lambda-reconciliation-requester';

/** Records each command sent and answers like Lambda does to an asynchronous invocation. */
function client(statusCode: number) {
  const sent: unknown[] = [];
  return {
    sent,
    send: async (command: unknown) => {
      sent.push(command);
      return { StatusCode: statusCode, $metadata: {} };
    },
  };
}

describe('LambdaReconciliationRequester', () => {
  it('invokes the reconciler asynchronously (Event) with the run’s date, id and trigger', async () => {
    const c = client(202);
    await new LambdaReconciliationRequester('strategy-books-prod-reconciler', c).request({
      runId: 'prod-2024-09-16',
      date: '2024-09-16',
    });
    expect(c.sent).toHaveLength(1);
    const [command] = c.sent;
    if (!(command instanceof InvokeCommand)) throw new Error('not an InvokeCommand');
    expect(command.input.FunctionName).toBe('strategy-books-prod-reconciler');
    expect(command.input.InvocationType).toBe('Event');
    const payload = command.input.Payload;
    if (!(payload instanceof Uint8Array)) throw new Error('the payload is not bytes');
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({
      date: '2024-09-16',
      runId: 'prod-2024-09-16',
      trigger: 'run-complete',
    });
  });

  it('fails when Lambda does not accept the event, so that the caller retries', async () => {
    await expect(
      new LambdaReconciliationRequester('f', client(500)).request({ runId: 'r', date: '2024-09-16' }),
    ).rejects.toThrow('did not accept');
  });

  it('is built from BOOKS_RECONCILER_FUNCTION, and absent without it', () => {
    expect(reconciliationRequesterFromEnv({ BOOKS_RECONCILER_FUNCTION: 'x' })).toBeInstanceOf(
      LambdaReconciliationRequester,
    );
    expect(reconciliationRequesterFromEnv({})).toBeUndefined();
  });
});
