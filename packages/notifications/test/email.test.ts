import type { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { createLogger } from '@books/core';
import { runCompletedEvent } from '@books/events';
import * as z from 'zod';
import {
  type DigestInput,
  digestNotifier,
  type RenderedMessage,
  SesNotificationSink,
  sesEmail,
} from '../src';

const route = { from: 'books@example.com', to: ['trader@example.com', 'risk@example.com'] };

/** What SendEmail carries of a simple message: the parts a reader sees. */
const SimpleEmailSchema = z.object({
  FromEmailAddress: z.string(),
  Destination: z.object({ ToAddresses: z.array(z.string()) }),
  Content: z.object({
    Simple: z.object({
      Subject: z.object({ Data: z.string(), Charset: z.literal('UTF-8') }),
      Body: z.object({
        Html: z.object({ Data: z.string(), Charset: z.literal('UTF-8') }),
        Text: z.object({ Data: z.string(), Charset: z.literal('UTF-8') }),
      }),
    }),
  }),
});

const SECRET = 'PKLIVEKEY1234567';
const HOSTILE = '<script>alert("x")</script> & co';

const digestInput: DigestInput = {
  stage: 'prod',
  date: '2024-03-15',
  runId: 'prod-2024-03-15',
  runStatus: 'COMPLETED',
  books: [
    {
      strategyId: 'momentum',
      status: 'FAILED',
      error: `401 from the broker for key ${SECRET}: ${HOSTILE}`,
      targets: [{ symbol: 'SPY', weight: '0.5' }],
      trades: [{ side: 'buy', symbol: 'SPY', qty: '2', state: 'FILLED' }],
      fills: [{ side: 'buy', symbol: 'SPY', qty: '2', price: '500.10' }],
    },
  ],
  breaks: [],
  controls: [{ label: 'flow of momentum', value: 'per-strategy' }],
};

describe('the digest as an SES e-mail', () => {
  it('sends the rendered subject, the HTML part and its text part, redacted and escaped, to every recipient', async () => {
    const sent: unknown[] = [];
    const client = {
      send: async (command: SendEmailCommand) => {
        sent.push(command.input);
        return { MessageId: 'm-1' };
      },
    };
    const notify = digestNotifier({
      collect: async () => digestInput,
      sink: new SesNotificationSink(client, route),
      secrets: async () => [SECRET],
      logger: createLogger({ service: 'test' }, { level: 'silent' }),
    });
    await notify(
      runCompletedEvent(
        { stage: 'prod', occurredAt: '2024-03-15T20:00:00.000Z' },
        {
          runId: 'prod-2024-03-15',
          tradingDate: '2024-03-15',
        },
      ),
    );

    expect(sent).toHaveLength(1);
    const email = SimpleEmailSchema.parse(sent[0]);
    expect(email.FromEmailAddress).toBe('books@example.com');
    expect(email.Destination.ToAddresses).toEqual(['trader@example.com', 'risk@example.com']);
    const { Subject, Body } = email.Content.Simple;
    expect(Subject.Data).toBe('strategy-books prod 2024-03-15: 1 fill(s), 0 break(s)');
    expect(Body.Html.Data).toMatch(/^<!doctype html>/);
    expect(Body.Html.Data).toContain('fill buy 2 SPY @ 500.10');
    expect(Body.Html.Data).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
    expect(Body.Html.Data).not.toContain('<script>');
    expect(Body.Text.Data).toContain('■ momentum  [FAILED]');
    expect(Body.Text.Data).toContain('fill buy 2 SPY @ 500.10');
    expect(Body.Text.Data).toContain(HOSTILE);
    for (const part of [Subject.Data, Body.Html.Data, Body.Text.Data]) expect(part).not.toContain(SECRET);
    expect(Body.Text.Data).toContain('[redacted]');
  });

  it('keeps the subject on one line: a line break in it never becomes another header', () => {
    const message: RenderedMessage = {
      kind: 'alert-x-failure',
      date: '2024-03-15',
      subject: 'strategy-books prod: bad\r\nBcc: someone@evil.example\nis failing',
      html: '<p>x</p>',
      text: 'x\n',
    };
    const subject = SimpleEmailSchema.parse(sesEmail(message, route)).Content.Simple.Subject.Data;
    expect(subject).toBe('strategy-books prod: bad Bcc: someone@evil.example is failing');
    expect(subject).not.toMatch(/[\r\n]/);
  });
});
