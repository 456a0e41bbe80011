import { SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import type { RenderedMessage } from './render';
import type { NotificationSink } from './sinks';

/** Who sends the stage's mail (an SES-verified identity) and who receives it. */
export interface EmailRoute {
  readonly from: string;
  readonly to: readonly string[];
}

const UTF8 = 'UTF-8';

/**
 * A message as an SES v2 simple e-mail: the subject on one line (a line break in a header is
 * refused, or worse, read as another header), the HTML part and its plain-text alternative as
 * rendered (already escaped and redacted), every part UTF-8.
 */
export function sesEmail(message: RenderedMessage, route: EmailRoute): SendEmailCommandInput {
  return {
    FromEmailAddress: route.from,
    Destination: { ToAddresses: [...route.to] },
    Content: {
      Simple: {
        Subject: { Data: message.subject.replace(/[\r\n]+/g, ' ').trim(), Charset: UTF8 },
        Body: {
          Html: { Data: message.html, Charset: UTF8 },
          Text: { Data: message.text, Charset: UTF8 },
        },
      },
    },
  };
}

/** The stage's e-mail through SES (`SendEmail`): the HTML digest a trader reads, with its text part. */
export class SesNotificationSink implements NotificationSink {
  constructor(
    /** An SESv2Client (only SendEmail is sent). */
    private readonly client: { send(command: SendEmailCommand): Promise<unknown> },
    private readonly route: EmailRoute,
  ) {}

  async deliver(message: RenderedMessage): Promise<void> {
    await this.client.send(new SendEmailCommand(sesEmail(message, this.route)));
  }
}
