import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SendRawEmailCommand, type SESClient } from '@aws-sdk/client-ses';
import type { Mailer } from '#core/ports.ts';

/** SES (v1 SendRawEmail): works against AWS and aws-ses-v2-local alike. */
export class SesMailer implements Mailer {
  /**
   * @param options.configurationSet SES configuration set of every message: its event
   *   destination publishes bounces and complaints, which suppress the address.
   */
  constructor(
    private readonly ses: SESClient,
    private readonly options: { configurationSet?: string | undefined } = {},
  ) {}
  async send(message: { from: string; to: string; raw: Buffer }): Promise<string> {
    const out = await this.ses.send(
      new SendRawEmailCommand({
        Source: message.from,
        Destinations: [message.to],
        RawMessage: { Data: message.raw },
        ...(this.options.configurationSet ? { ConfigurationSetName: this.options.configurationSet } : {}),
      }),
    );
    if (!out.MessageId) throw new Error('SES returned no MessageId');
    return out.MessageId;
  }
}

/** Wraps a mailer and keeps every sent message as `<dir>/<messageId>.eml` (local runtime). */
export class OutboxMailer implements Mailer {
  constructor(
    private readonly inner: Mailer,
    private readonly dir: string,
  ) {}
  async send(message: { from: string; to: string; raw: Buffer }): Promise<string> {
    const id = await this.inner.send(message);
    await mkdir(this.dir, { recursive: true });
    await writeFile(join(this.dir, `${id.replace(/[^A-Za-z0-9._-]/g, '_')}.eml`), message.raw);
    return id;
  }
}
