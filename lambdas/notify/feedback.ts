import type { Clock } from '#core/clock.ts';
import type { SubscribersPort } from '#core/ports.ts';
import { isValidEmail } from '#core/escape.ts';

/**
 * SES feedback: the configuration set publishes bounce and complaint events to an SNS
 * topic, and each message marks the addresses concerned `suppressed`, so nothing is sent
 * to them again (mailing a dead or complaining address hurts the sender's reputation,
 * and SES pauses accounts whose bounce or complaint rates climb).
 *
 * Permanent bounces and every complaint suppress; transient bounces (mailbox full, out of
 * office) do not: the next email may well arrive.
 */

/** One address to suppress and why. */
export interface Suppression {
  email: string;
  /** `bounce:Permanent/General`, `complaint:abuse`, … */
  reason: string;
}

/** `"Name" <a@b.example>` or `a@b.example` → `a@b.example` (lower-cased), or undefined. */
function bareAddress(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /<([^<>]+)>\s*$/.exec(value);
  const address = (m?.[1] ?? value).trim().toLowerCase();
  return isValidEmail(address) ? address : undefined;
}

/**
 * The suppressions an SES notification asks for. Accepts both event publishing
 * (`eventType`, what a configuration set sends) and identity notifications
 * (`notificationType`); anything else yields none.
 */
export function suppressionsFrom(message: unknown): Suppression[] {
  if (typeof message !== 'object' || message === null) return [];
  const m = message as Record<string, unknown>;
  const type = String(m.eventType ?? m.notificationType ?? '');
  if (type === 'Bounce') {
    const bounce = (m.bounce ?? {}) as Record<string, unknown>;
    if (bounce.bounceType !== 'Permanent') return [];
    const reason = `bounce:Permanent/${String(bounce.bounceSubType ?? 'General')}`;
    return (Array.isArray(bounce.bouncedRecipients) ? bounce.bouncedRecipients : [])
      .map((r) => bareAddress((r as Record<string, unknown>)?.emailAddress))
      .filter((e): e is string => e !== undefined)
      .map((email) => ({ email, reason }));
  }
  if (type === 'Complaint') {
    const complaint = (m.complaint ?? {}) as Record<string, unknown>;
    const reason = `complaint:${String(complaint.complaintFeedbackType ?? complaint.complaintSubType ?? 'unspecified')}`;
    return (Array.isArray(complaint.complainedRecipients) ? complaint.complainedRecipients : [])
      .map((r) => bareAddress((r as Record<string, unknown>)?.emailAddress))
      .filter((e): e is string => e !== undefined)
      .map((email) => ({ email, reason }));
  }
  return [];
}

/** What the feedback handler needs. */
export interface FeedbackDeps {
  subscribers: Pick<SubscribersPort, 'update'>;
  clock: Clock;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * Apply SNS message bodies (JSON text) from the feedback topic. A body that is not JSON
 * is logged and skipped (retrying would not make it parse); storage errors throw so
 * Lambda retries the event. Addresses not subscribed are ignored.
 */
export async function applyFeedback(bodies: string[], deps: FeedbackDeps): Promise<{ suppressed: number; ignored: number }> {
  let suppressed = 0;
  let ignored = 0;
  for (const body of bodies) {
    let message: unknown;
    try {
      message = JSON.parse(body);
    } catch {
      deps.log?.('feedback message is not JSON; skipped', { length: body.length });
      ignored++;
      continue;
    }
    const list = suppressionsFrom(message);
    if (list.length === 0) ignored++;
    for (const s of list) {
      const at = deps.clock.now().toISOString();
      const updated = await deps.subscribers.update(
        s.email,
        { status: 'suppressed', suppressedAt: at, suppressionReason: s.reason, updatedAt: at },
        { statusIn: ['active', 'pending', 'unsubscribed', 'parked', 'removed'] },
      );
      if (updated) {
        suppressed++;
        deps.log?.('address suppressed', { email: s.email, reason: s.reason });
      }
    }
  }
  return { suppressed, ignored };
}
