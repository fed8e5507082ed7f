import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { escapeHtml } from '#core/escape.ts';
import { buildMime } from '#core/mime.ts';
import type { Mailer, OpsMessage, OpsNotificationTags, OpsPublisher } from '#core/ports.ts';

/**
 * AWS: publish to the OpsAlerts topic, whose e-mail subscribers are the ops list (context
 * `export-watch:opsEmails`). The alarms publish there too, so ops has one inbox; the
 * subscribers' mail goes through SES from the notifier and never touches this topic.
 */
export class SnsOpsPublisher implements OpsPublisher {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish<N extends OpsNotificationTags>(message: OpsMessage, notification: N): Promise<void> {
    await this.sns.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: message.subject,
        Message: message.text,
        MessageAttributes: {
          type: { DataType: 'String', StringValue: notification.type },
          source: { DataType: 'String', StringValue: notification.source },
        },
      }),
    );
  }
}

/**
 * Local: mail the ops addresses from the config (`ops.emails`) through local SES, one
 * message per address like the notifier does. With no ops address configured the
 * message is only logged.
 */
export class MailOpsPublisher implements OpsPublisher {
  constructor(
    private readonly mailer: Mailer,
    private readonly from: string,
    private readonly to: readonly string[],
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  async publish<N extends OpsNotificationTags>(message: OpsMessage, notification: N): Promise<void> {
    this.log(`ops: ${message.subject}${this.to.length === 0 ? ' (no ops.emails configured: not mailed)' : ''}`);
    for (const to of this.to) {
      const raw = await buildMime(
        { subject: message.subject, text: message.text, html: `<pre style="font-family:monospace">${escapeHtml(message.text)}</pre>` },
        {
          from: { address: this.from, name: 'export-watch ops' },
          to,
          headers: { 'X-Export-Watch-Ops': notification.type, 'X-Export-Watch-Source': notification.source },
        },
      );
      await this.mailer.send({ from: this.from, to, raw });
    }
  }
}
