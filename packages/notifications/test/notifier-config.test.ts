import { notifierConfigFromEnv } from '../src';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:strategy-books-prod-alarms';

describe("the deployed notifier's configuration", () => {
  it('turns e-mail on when a sender and recipients are named', () => {
    expect(
      notifierConfigFromEnv({
        BOOKS_NOTIFY_TOPIC_ARN: TOPIC,
        BOOKS_NOTIFY_EMAIL_FROM: 'books@example.com',
        BOOKS_NOTIFY_EMAIL_TO: 'trader@example.com, risk@example.com',
      }).email,
    ).toEqual({ from: 'books@example.com', to: ['trader@example.com', 'risk@example.com'] });
  });

  it.each([
    ['absent', {}],
    ['empty (the stage params’ default)', { BOOKS_NOTIFY_EMAIL_FROM: '', BOOKS_NOTIFY_EMAIL_TO: '' }],
  ])('leaves e-mail off when both are %s', (_what, email) => {
    expect(notifierConfigFromEnv({ BOOKS_NOTIFY_TOPIC_ARN: TOPIC, ...email }).email).toBeUndefined();
  });

  it.each([
    [
      'a sender without recipients',
      { BOOKS_NOTIFY_EMAIL_FROM: 'books@example.com', BOOKS_NOTIFY_EMAIL_TO: '' },
    ],
    ['recipients without a sender', { BOOKS_NOTIFY_EMAIL_TO: 'trader@example.com' }],
  ])('refuses %s at cold start', (_what, email) => {
    expect(() => notifierConfigFromEnv({ BOOKS_NOTIFY_TOPIC_ARN: TOPIC, ...email })).toThrow(
      /BOOKS_NOTIFY_EMAIL_FROM and BOOKS_NOTIFY_EMAIL_TO go together/,
    );
  });

  it('refuses an address that is not one', () => {
    expect(() =>
      notifierConfigFromEnv({
        BOOKS_NOTIFY_TOPIC_ARN: TOPIC,
        BOOKS_NOTIFY_EMAIL_FROM: 'books@example.com',
        BOOKS_NOTIFY_EMAIL_TO: 'trader@example.com,not-an-address',
      }),
    ).toThrow(/BOOKS_NOTIFY_EMAIL_TO/);
  });
});
