import { alpacaKeyParameters } from '@books/alpaca';
import { formatIssues, type TradingDate, ValidationError } from '@books/core';
import { EVENT_SOURCE, type StageEvent, StageEventSchema } from '@books/events';
import { AlertStateRepository, NotificationRepository } from '@books/ledger-client';
import type { Services } from '@books/runtime';
import * as z from 'zod';
import { alertNotifier } from './alerts';
import { collectDigestInput, observeRun } from './collect';
import { SnsNotificationSink, ssmParameter, WebhookNotificationSink } from './delivery';
import { digestNotifier } from './digest-notifier';
import { type EmailRoute, SesNotificationSink } from './email';
import { rememberedFanOut } from './remembered-delivery';
import type { NotificationSink } from './sinks';

/** The deployed notifier's own variables (serverless.yml, the notifier function's environment). */
const NotifierEnvSchema = z
  .object({
    /** The stage's topic: the plain-text part of each digest and alert is published to it. */
    BOOKS_NOTIFY_TOPIC_ARN: z.string().regex(/^arn:aws[a-z-]*:sns:/, 'an SNS topic ARN'),
    /** A SecureString parameter holding a chat webhook's URL (optional; absent parameter: no webhook). */
    BOOKS_NOTIFY_WEBHOOK_SSM: z.string().startsWith('/').optional(),
    /** The e-mail's sender, an SES-verified identity (empty or absent: no e-mail). */
    BOOKS_NOTIFY_EMAIL_FROM: z.union([z.literal(''), z.email('an e-mail address')]).optional(),
    /** The e-mail's recipients, comma-separated (empty or absent: no e-mail). */
    BOOKS_NOTIFY_EMAIL_TO: z
      .string()
      .optional()
      .transform((to) =>
        (to ?? '')
          .split(',')
          .map((a) => a.trim())
          .filter((a) => a !== ''),
      )
      .pipe(z.array(z.email('an e-mail address'))),
  })
  .refine((e) => ((e.BOOKS_NOTIFY_EMAIL_FROM ?? '') === '') === (e.BOOKS_NOTIFY_EMAIL_TO.length === 0), {
    path: ['BOOKS_NOTIFY_EMAIL_TO'],
    message:
      'BOOKS_NOTIFY_EMAIL_FROM and BOOKS_NOTIFY_EMAIL_TO go together: both set for e-mail, both empty for none',
  });

export interface NotifierConfig {
  readonly topicArn: string;
  readonly webhookParameter?: string;
  /** E-mail through SES: the digest's and alerts' HTML with their text part (absent: no e-mail). */
  readonly email?: EmailRoute;
}

/** The notifier's configuration, validated at cold start (every problem named). */
export function notifierConfigFromEnv(env: Readonly<Record<string, string | undefined>>): NotifierConfig {
  const parsed = NotifierEnvSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new ValidationError(`invalid notifier environment:\n${formatIssues(issues)}`, issues);
  }
  return {
    topicArn: parsed.data.BOOKS_NOTIFY_TOPIC_ARN,
    ...(parsed.data.BOOKS_NOTIFY_WEBHOOK_SSM
      ? { webhookParameter: parsed.data.BOOKS_NOTIFY_WEBHOOK_SSM }
      : {}),
    ...(parsed.data.BOOKS_NOTIFY_EMAIL_FROM
      ? { email: { from: parsed.data.BOOKS_NOTIFY_EMAIL_FROM, to: parsed.data.BOOKS_NOTIFY_EMAIL_TO } }
      : {}),
  };
}

/** What EventBridge hands a rule's Lambda target: the stage event is the detail (runtime's event-bus). */
const EventBridgeEnvelopeSchema = z
  .object({ source: z.literal(EVENT_SOURCE), 'detail-type': z.string(), detail: StageEventSchema })
  .loose();

/** The stage event an EventBridge delivery carries; anything else is refused (a misrouted rule). */
export function stageEventOf(raw: unknown): StageEvent {
  const parsed = EventBridgeEnvelopeSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new ValidationError(`not a stage event from EventBridge:\n${formatIssues(issues)}`, issues);
  }
  return parsed.data.detail;
}

export interface NotifierOptions {
  /** Replaces the deployed delivery (the topic, the webhook and the e-mail when configured): tests. */
  readonly sink?: NotificationSink;
}

/**
 * The deployed notifier, the target of the stage's rule on `RunCompleted` and
 * `ReconciliationBreak`: a RunCompleted gets the run's digest and the alerts; a
 * ReconciliationBreak (the scheduled reconciliation's too, which no run announces) gets the alerts
 * of its date, repeat-suppressed by ALERT_STATE, so a run's breaks alert once whichever event
 * arrives first. Delivery is the topic's plain text (SNS e-mail is text), the chat webhook, and,
 * when the stage names a sender and recipients, the HTML e-mail with its text part through SES.
 * Each sink's delivery of a message is remembered (NOTIFICATION_SENT): a failure throws, so
 * EventBridge retries the target (then its dead-letter queue keeps the event), and the retry
 * sends only through the sinks that have not taken the message.
 */
export function notifierFunction(
  services: Services,
  config: NotifierConfig,
  options: NotifierOptions = {},
): (event: unknown) => Promise<{ readonly type: string; readonly id: string }> {
  const webhookUrl = config.webhookParameter
    ? ssmParameter(services.clients.ssm, config.webhookParameter)
    : undefined;
  const sink =
    options.sink ??
    rememberedFanOut(
      [
        { name: 'sns', sink: new SnsNotificationSink(services.clients.sns, config.topicArn) },
        ...(webhookUrl ? [{ name: 'webhook', sink: new WebhookNotificationSink(webhookUrl) }] : []),
        ...(config.email
          ? [{ name: 'ses', sink: new SesNotificationSink(services.clients.sesv2, config.email) }]
          : []),
      ],
      { log: new NotificationRepository(services.table), clock: services.clock, logger: services.logger },
    );
  const secrets = stageSecrets(services, webhookUrl);
  const digest = digestNotifier({
    collect: (date: TradingDate) => collectDigestInput(services, date),
    sink,
    secrets,
    logger: services.logger,
  });
  const alerts = alertNotifier({
    stage: services.env.BOOKS_STAGE,
    observe: (date) => observeRun(services, date),
    store: new AlertStateRepository(services.table),
    sink,
    secrets,
    clock: services.clock,
    logger: services.logger,
    on: ['RunCompleted', 'ReconciliationBreak'],
  });
  return async (raw) => {
    const event = stageEventOf(raw);
    await digest(event);
    await alerts(event);
    return { type: event.type, id: event.id };
  };
}

/**
 * The secret values a message must never carry: the broker's keys (SSM, under
 * BOOKS_ALPACA_KEY_SSM_PREFIX) and the webhook's URL, each read once.
 */
function stageSecrets(
  services: Services,
  webhookUrl: (() => Promise<string | undefined>) | undefined,
): () => Promise<readonly string[]> {
  const prefix = services.env.BOOKS_ALPACA_KEY_SSM_PREFIX;
  const readers = [
    ...(prefix && services.env.BOOKS_BROKER_MODE !== 'simulated'
      ? alpacaKeyParameters(prefix).map((name) => ssmParameter(services.clients.ssm, name))
      : []),
    ...(webhookUrl ? [webhookUrl] : []),
  ];
  return async () => (await Promise.all(readers.map((r) => r()))).filter((v): v is string => v !== undefined);
}
