import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RenderedMessage } from './render';

/** Where messages go: the stage's topic or mail when deployed, a directory on the embedded stage. */
export interface NotificationSink {
  /** Delivers the message; throws when it could not (the caller's retry delivers it again). */
  deliver(message: RenderedMessage): Promise<void>;
}

/**
 * The embedded stage's sink: `<dir>/<date>-<kind>.html` and `.txt`. Writing the same message again
 * (a republished event) rewrites the same two files: at least once, seen once.
 */
export class FileNotificationSink implements NotificationSink {
  constructor(private readonly dir: string) {}

  async deliver(message: RenderedMessage): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const stem = join(this.dir, `${message.date}-${message.kind}`);
    await writeFile(`${stem}.html`, message.html);
    await writeFile(`${stem}.txt`, message.text);
  }
}
