import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RenderedMessage, snsSubject, WebhookNotificationSink } from '../src';

const message: RenderedMessage = {
  kind: 'digest',
  date: '2024-03-15',
  subject: 'strategy-books local 2024-03-15: 1 fill(s), 0 break(s)',
  html: '<p>x</p>',
  text: 'the digest\n',
};

describe('the chat webhook', () => {
  let server: Server;
  let url: string;
  const received: { path: string; body: string }[] = [];
  let answer = 200;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        received.push({ path: req.url ?? '', body });
        res.statusCode = answer;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T0/B0/secret-token`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('posts the plain-text part as {"text": ...} to the URL', async () => {
    await new WebhookNotificationSink(async () => url).deliver(message);
    expect(received.at(-1)).toEqual({
      path: '/services/T0/B0/secret-token',
      body: '{"text":"the digest\\n"}',
    });
  });

  it('does nothing when no webhook is configured', async () => {
    const before = received.length;
    await new WebhookNotificationSink(async () => undefined).deliver(message);
    expect(received).toHaveLength(before);
  });

  it('fails a refused post with the status only, never the URL (a secret)', async () => {
    answer = 500;
    const error: unknown = await new WebhookNotificationSink(async () => url)
      .deliver(message)
      .catch((e) => e);
    answer = 200;
    expect(String(error)).toContain('500');
    expect(JSON.stringify(error)).not.toContain('secret-token');
    expect(String(error)).not.toContain('secret-token');
  });

  it('fails an unreachable webhook without the URL in the error', async () => {
    const error: unknown = await new WebhookNotificationSink(
      async () => 'http://127.0.0.1:9/hook/secret-token',
    )
      .deliver(message)
      .catch((e) => e);
    expect(String(error)).toContain('could not be reached');
    expect(JSON.stringify(error)).not.toContain('secret-token');
  });
});

describe('the SNS subject', () => {
  it('makes a subject SNS accepts: printable ASCII, at most 100 characters', () => {
    expect(snsSubject('P&L ■ day')).toBe('P&L ? day');
    const long = snsSubject('x'.repeat(150));
    expect(long).toHaveLength(100);
    expect(long.endsWith('...')).toBe(true);
  });
});
