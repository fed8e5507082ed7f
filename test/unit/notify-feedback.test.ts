import { describe, expect, it } from 'vitest';
import { ManualClock } from '#core/clock.ts';
import { applyFeedback, suppressionsFrom } from '#notify/feedback.ts';
import type { SubscriberUpdate, UpdateCondition } from '#core/ports.ts';

const bounce = (bounceType: string, recipients: string[], type: 'eventType' | 'notificationType' = 'eventType') => ({
  [type]: 'Bounce',
  bounce: { bounceType, bounceSubType: 'General', bouncedRecipients: recipients.map((emailAddress) => ({ emailAddress })) },
  mail: { destination: recipients },
});

describe('SES feedback', () => {
  it('suppresses permanent bounces and complaints, from event publishing and identity notifications', () => {
    expect(suppressionsFrom(bounce('Permanent', ['Gone@Example.com']))).toEqual([
      { email: 'gone@example.com', reason: 'bounce:Permanent/General' },
    ]);
    expect(suppressionsFrom(bounce('Permanent', ['"Gone" <gone@example.com>'], 'notificationType'))).toEqual([
      { email: 'gone@example.com', reason: 'bounce:Permanent/General' },
    ]);
    expect(
      suppressionsFrom({
        eventType: 'Complaint',
        complaint: { complaintFeedbackType: 'abuse', complainedRecipients: [{ emailAddress: 'angry@example.com' }] },
      }),
    ).toEqual([{ email: 'angry@example.com', reason: 'complaint:abuse' }]);
  });

  it('ignores transient bounces, other events, junk and invalid addresses', () => {
    expect(suppressionsFrom(bounce('Transient', ['full@example.com']))).toEqual([]);
    expect(suppressionsFrom({ eventType: 'Delivery' })).toEqual([]);
    expect(suppressionsFrom(bounce('Permanent', ['not an address', 'x@example.com\r\nBcc: y@example.com']))).toEqual([]);
    for (const junk of [
      null,
      'text',
      42,
      [],
      { eventType: 'Bounce' },
      { eventType: 'Complaint', complaint: { complainedRecipients: 'x' } },
    ])
      expect(suppressionsFrom(junk)).toEqual([]);
  });

  it('marks addresses suppressed with the reason, skipping unparseable messages', async () => {
    const updates: Array<{ email: string; changes: SubscriberUpdate; condition: UpdateCondition | undefined }> = [];
    const subscribers = {
      update: async (email: string, changes: SubscriberUpdate, condition?: UpdateCondition) => {
        updates.push({ email, changes, condition });
        return email === 'unknown@example.com' ? undefined : ({ email } as never);
      },
    };
    const out = await applyFeedback(
      [JSON.stringify(bounce('Permanent', ['gone@example.com', 'unknown@example.com'])), 'not json', JSON.stringify({ eventType: 'Open' })],
      { subscribers, clock: new ManualClock('2026-03-02T12:00:00Z') },
    );
    expect(out).toEqual({ suppressed: 1, ignored: 2 });
    expect(updates[0]).toEqual({
      email: 'gone@example.com',
      changes: {
        status: 'suppressed',
        suppressedAt: '2026-03-02T12:00:00.000Z',
        suppressionReason: 'bounce:Permanent/General',
        updatedAt: '2026-03-02T12:00:00.000Z',
      },
      condition: { statusIn: ['active', 'pending', 'unsubscribed', 'parked', 'removed'] },
    });
  });
});
