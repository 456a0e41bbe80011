import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { BooksError, errorMessage } from '@books/core';
import type { RenderedMessage } from './render';
import type { NotificationSink } from './sinks';

/** SNS subjects: at most 100 printable ASCII characters, no line breaks. */
const SNS_SUBJECT_MAX = 100;

/**
 * The stage's SNS topic: the plain-text part as the message, the subject made SNS-safe (an e-mail
 * subscriber reads it as the mail's subject). SNS e-mail is plain text: the HTML part is for SES.
 */
export class SnsNotificationSink implements NotificationSink {
  constructor(
    private readonly client: Pick<SNSClient, 'send'>,
    private readonly topicArn: string,
  ) {}

  async deliver(message: RenderedMessage): Promise<void> {
    await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: snsSubject(message.subject),
        Message: message.text,
      }),
    );
  }
}

export function snsSubject(subject: string): string {
  const ascii = subject.replace(/[^\x20-\x7e]/g, '?').trim();
  return ascii.length <= SNS_SUBJECT_MAX ? ascii : `${ascii.slice(0, SNS_SUBJECT_MAX - 3)}...`;
}

/**
 * An optional chat webhook (Slack-compatible `{"text": ...}`): its URL is a secret, read when
 * needed (from SSM: `ssmParameter`) and never put in a message or an error; none configured, the
 * sink does nothing. A refusal (non-2xx) throws with the status only.
 */
export class WebhookNotificationSink implements NotificationSink {
  constructor(
    private readonly url: () => Promise<string | undefined>,
    private readonly post: typeof fetch = fetch,
  ) {}

  async deliver(message: RenderedMessage): Promise<void> {
    const url = await this.url();
    if (!url) return;
    let status: number;
    try {
      const response = await this.post(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: message.text }),
      });
      status = response.status;
    } catch (e) {
      // A fetch error may carry the URL: only its kind goes on.
      throw new BooksError('WEBHOOK_UNREACHABLE', 'the chat webhook could not be reached', {
        reason: e instanceof Error ? e.name : 'unknown',
      });
    }
    if (status < 200 || status >= 300)
      throw new BooksError('WEBHOOK_REFUSED', `the chat webhook answered ${status}`, { status });
  }
}

/** A SecureString parameter's value, read once (undefined when the parameter does not exist). */
export function ssmParameter(
  client: Pick<SSMClient, 'send'>,
  name: string,
): () => Promise<string | undefined> {
  let value: Promise<string | undefined> | undefined;
  const read = async (): Promise<string | undefined> => {
    try {
      const r = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
      return r.Parameter?.Value;
    } catch (e) {
      value = undefined;
      if (e instanceof Error && e.name === 'ParameterNotFound') return undefined;
      throw new BooksError('SSM_READ_FAILED', `parameter ${name} could not be read: ${errorMessage(e)}`);
    }
  };
  return () => {
    value ??= read();
    return value;
  };
}
