import { escapeHtml, type RenderedMessage } from './render';

/** Values shorter than this are not treated as secrets (they would redact ordinary words). */
const MIN_SECRET_LENGTH = 6;

/**
 * Never a secret in a message: every known secret value (the broker's keys, the webhook's URL, as
 * read from SSM or the environment) is replaced wherever it appears, in the subject and in both
 * parts, whatever put it there (an error message echoing a request, a misconfigured strategy id).
 */
export function redactSecrets(message: RenderedMessage, secrets: readonly string[]): RenderedMessage {
  const known = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH))].sort(
    (a, b) => b.length - a.length,
  );
  if (known.length === 0) return message;
  const redact = (text: string) => known.reduce((t, s) => t.split(s).join('[redacted]'), text);
  return {
    ...message,
    subject: redact(message.subject),
    text: redact(message.text),
    // A secret with HTML-special characters appears escaped in the HTML part.
    html: known.reduce(
      (t, s) => t.split(s).join('[redacted]').split(escapeHtml(s)).join('[redacted]'),
      message.html,
    ),
  };
}
