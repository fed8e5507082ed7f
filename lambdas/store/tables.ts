/**
 * Table layouts, shared by the CDK stack and the local runtime so both create exactly
 * the same keys and indexes. Documented in docs/change-log.md.
 */

export interface IndexLayout {
  name: string;
  partitionKey: string;
  sortKey: string;
}

export interface TableLayout {
  partitionKey: string;
  sortKey?: string;
  indexes: IndexLayout[];
}

/** Change log: one item per change, keyed by its deterministic id. */
export const CHANGES_TABLE: TableLayout = {
  partitionKey: 'id',
  indexes: [
    { name: 'bySource', partitionKey: 'source', sortKey: 'detectedAt' },
    { name: 'bySubject', partitionKey: 'subject', sortKey: 'detectedAt' },
    { name: 'byDay', partitionKey: 'day', sortKey: 'detectedAt' },
    // Sparse: only changes still to be notified carry `outbox`; the notifier drains it.
    { name: 'outbox', partitionKey: 'outbox', sortKey: 'detectedAt' },
  ],
};

/** Source state: `SOURCE#name` × `STATE` | `LEASE` | `ALERT` (ops incidents) | `ITEM#key`. */
export const STATE_TABLE: TableLayout = { partitionKey: 'pk', sortKey: 'sk', indexes: [] };

/** Subscribers and deliveries: `SUB#email` × `PROFILE` | `DELIVERY#changeId`. */
export const SUBSCRIBERS_TABLE: TableLayout = { partitionKey: 'pk', sortKey: 'sk', indexes: [] };

export const OUTBOX_PENDING = 'pending';
