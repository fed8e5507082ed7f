import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CHANGES_TABLE, STATE_TABLE, SUBSCRIBERS_TABLE, type TableLayout } from '#store/tables.ts';

/**
 * What one role may do on one table: `actions` on the table itself, `query` on the named
 * indexes (each named: no `index/*`), and the `conditions` the table actions hold under.
 * Every action is one a store adapter the role's handler wires actually sends (issue 19,
 * item 13: a grant nobody uses is only risk).
 */
interface TableAccess {
  readonly actions: readonly string[];
  readonly queryIndexes?: readonly string[];
  readonly conditions?: Record<string, Record<string, unknown>>;
}

/** Properties of {@link ExportWatchTables}. */
export interface ExportWatchTablesProps {
  /**
   * What happens to the three tables when they leave the stack (deletion, or a replacement
   * caused by a key change).
   * @default RemovalPolicy.RETAIN - the change log, the source state and the delivery
   *   records cannot be rebuilt (see {@link ExportWatchTables})
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Create a table from a shared layout: string keys only, on-demand, AWS-managed
 * encryption, point-in-time recovery, with the given removal policy.
 */
function tableFromLayout(scope: Construct, id: string, layout: TableLayout, removalPolicy: RemovalPolicy, stream?: StreamViewType): Table {
  const table = new Table(scope, id, {
    partitionKey: { name: layout.partitionKey, type: AttributeType.STRING },
    sortKey: layout.sortKey ? { name: layout.sortKey, type: AttributeType.STRING } : undefined,
    billingMode: BillingMode.PAY_PER_REQUEST,
    encryption: TableEncryption.AWS_MANAGED,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    removalPolicy,
    stream,
  });
  for (const index of layout.indexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.name,
      partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
      sortKey: { name: index.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
  }
  return table;
}

/**
 * The three DynamoDB tables, built from the layouts in `lambdas/store/tables.ts` that the
 * local runtime uses too, with one intent grant per function (`grantSourceAccess`, ...)
 * that names exactly the actions its handler sends. (The tables' own `grant*` methods
 * would add `index/*` and actions no handler sends.)
 *
 * By default all three are retained. The change log is the product's record of what
 * happened and cannot be rebuilt (upstreams only show the present). The state table holds
 * cursors, baselines and the entity-list snapshot: losing it re-baselines every source,
 * which silently swallows whatever changed in between. The subscribers table holds
 * delivery records, the "never send twice" guarantee. A stack deletion or a replacement
 * caused by a key change must never take any of them with it.
 */
export class ExportWatchTables extends Construct {
  /** The change log; its NEW_IMAGE stream triggers the notifier. */
  readonly changes: Table;
  /** Source state: cursors, leases, health and stored items. */
  readonly state: Table;
  /** Subscribers and delivery records. */
  readonly subscribers: Table;

  constructor(scope: Construct, id: string, props: ExportWatchTablesProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.changes = tableFromLayout(this, 'Changes', CHANGES_TABLE, removalPolicy, StreamViewType.NEW_IMAGE);
    this.state = tableFromLayout(this, 'State', STATE_TABLE, removalPolicy);
    this.subscribers = tableFromLayout(this, 'Subscribers', SUBSCRIBERS_TABLE, removalPolicy);
  }

  /** The table-name variables `loadConfig` reads (`CHANGES_TABLE`, ...). */
  get environment(): Record<string, string> {
    return {
      CHANGES_TABLE: this.changes.tableName,
      STATE_TABLE: this.state.tableName,
      SUBSCRIBERS_TABLE: this.subscribers.tableName,
    };
  }

  /**
   * A source appends to the change log (DynamoChangeLog.put: a conditional PutItem on the
   * deterministic id) and reads earlier changes through `queryChanges` (the by-source and
   * by-subject indexes); it never reads the notifier's `outbox` index, updates or deletes a
   * change. Its own state (DynamoSourceState): get/put of the state item, the lease
   * (conditional put, conditional delete) and stored items (query by prefix, batch writes).
   */
  grantSourceAccess(grantee: IGrantable): void {
    this.grant(grantee, this.changes, CHANGES_TABLE, { actions: ['dynamodb:PutItem'], queryIndexes: ['bySource', 'bySubject'] });
    this.grant(grantee, this.state, STATE_TABLE, {
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Query', 'dynamodb:BatchWriteItem'],
    });
  }

  /**
   * The notifier reads pending changes from the sparse `outbox` index and digest windows
   * from the by-source/by-subject indexes, and clears `outbox` on the changes it handled
   * (UpdateItem). On subscribers it scans the profiles to match them (`list`), reads one
   * (`get`), seeds config subscribers and records deliveries (conditional PutItem), updates
   * profiles, and batch-reads delivery records (`deliveredAmong`). It never deletes: only
   * `export-watch subscribers remove` (the operator's CLI credentials) does.
   */
  grantNotifierAccess(grantee: IGrantable): void {
    this.grant(grantee, this.changes, CHANGES_TABLE, {
      actions: ['dynamodb:UpdateItem'],
      queryIndexes: ['outbox', 'bySource', 'bySubject'],
    });
    this.grant(grantee, this.subscribers, SUBSCRIBERS_TABLE, {
      actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Scan', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
    });
    // Its delivery health (rejections, parked subscribers) for the ops check (issue 19,
    // item 1): one item, `NOTIFIER` × `DELIVERY` in the state table, read and put, no other key.
    this.grant(grantee, this.state, STATE_TABLE, {
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['NOTIFIER'] } },
    });
  }

  /**
   * The subscription function (confirm/unsubscribe links) reads a profile and updates it
   * conditionally; no scan, no delete, no delivery records.
   */
  grantSubscriptionAccess(grantee: IGrantable): void {
    this.grant(grantee, this.subscribers, SUBSCRIBERS_TABLE, { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] });
  }

  /**
   * The SES feedback function (applyFeedback): one conditional update per bounced or
   * complaining address (ReturnValues ALL_NEW); no reads, no deletes.
   */
  grantFeedbackAccess(grantee: IGrantable): void {
    this.grant(grantee, this.subscribers, SUBSCRIBERS_TABLE, { actions: ['dynamodb:UpdateItem'] });
  }

  /**
   * The ops check reads source state and puts alert state (item reads and puts on the
   * state table, nothing else), and finds the oldest pending change from the sparse
   * `outbox` index only.
   */
  grantOpsCheckAccess(grantee: IGrantable): void {
    this.grant(grantee, this.state, STATE_TABLE, { actions: ['dynamodb:GetItem', 'dynamodb:PutItem'] });
    this.grant(grantee, this.changes, CHANGES_TABLE, { actions: [], queryIndexes: ['outbox'] });
  }

  /**
   * Grant `access.actions` on the table and Query on each index of `access.queryIndexes`
   * by name. Naming the indexes (instead of the usual `index/*`) keeps the policies free
   * of wildcards; an index the layout does not have fails the synth.
   */
  private grant(grantee: IGrantable, table: Table, layout: TableLayout, access: TableAccess): void {
    if (access.actions.length > 0) {
      Grant.addToPrincipal({ grantee, actions: [...access.actions], resourceArns: [table.tableArn], conditions: access.conditions });
    }
    const indexes = access.queryIndexes ?? [];
    for (const name of indexes) {
      if (!layout.indexes.some((index) => index.name === name)) throw new Error(`table layout has no index ${name}`);
    }
    if (indexes.length > 0) {
      Grant.addToPrincipal({
        grantee,
        actions: ['dynamodb:Query'],
        resourceArns: indexes.map((name) => `${table.tableArn}/index/${name}`),
      });
    }
  }
}
