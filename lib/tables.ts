import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CHANGES_TABLE, STATE_TABLE, SUBSCRIBERS_TABLE, type TableLayout } from '../lambdas/store/tables.ts';

/** Item reads: no Scan (the change log and the state are only ever read by key or index). */
const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];
/** Every item write the adapters in lambdas/store use. */
const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

/**
 * Create a table from a shared layout: string keys only, on-demand, AWS-managed
 * encryption, point-in-time recovery, retained on stack deletion.
 */
function tableFromLayout(scope: Construct, id: string, layout: TableLayout, stream?: StreamViewType): Table {
  const table = new Table(scope, id, {
    partitionKey: { name: layout.partitionKey, type: AttributeType.STRING },
    sortKey: layout.sortKey ? { name: layout.sortKey, type: AttributeType.STRING } : undefined,
    billingMode: BillingMode.PAY_PER_REQUEST,
    encryption: TableEncryption.AWS_MANAGED,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    // All three are RETAINed. The change log is the product's record of what happened and
    // cannot be rebuilt (upstreams only show the present). The state table holds cursors,
    // baselines and the entity-list snapshot: losing it re-baselines every source, which
    // silently swallows whatever changed in between. The subscribers table holds delivery
    // records, the "never send twice" guarantee. A stack deletion or a replacement caused
    // by a key change must never take any of them with it.
    removalPolicy: RemovalPolicy.RETAIN,
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
 * local runtime uses too, with grants that name exactly the actions each Lambda needs.
 */
export class ExportWatchTables extends Construct {
  /** The change log; its NEW_IMAGE stream triggers the notifier. */
  readonly changes: Table;
  /** Source state: cursors, leases, health and stored items. */
  readonly state: Table;
  /** Subscribers and delivery records. */
  readonly subscribers: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.changes = tableFromLayout(this, 'Changes', CHANGES_TABLE, StreamViewType.NEW_IMAGE);
    this.state = tableFromLayout(this, 'State', STATE_TABLE);
    this.subscribers = tableFromLayout(this, 'Subscribers', SUBSCRIBERS_TABLE);
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
   * A source reads and writes its own state and appends to the change log (a conditional
   * put on the deterministic id); it never updates or deletes a change.
   */
  grantSourceAccess(grantee: IGrantable): void {
    this.grant(grantee, this.changes, CHANGES_TABLE, [...READ_ACTIONS, 'dynamodb:PutItem']);
    this.grant(grantee, this.state, STATE_TABLE, [...READ_ACTIONS, ...WRITE_ACTIONS]);
  }

  /**
   * The notifier reads the change log (the sparse `outbox` index), clears `outbox` on the
   * changes it handled, and reads and writes subscribers and delivery records (it scans
   * the subscriber profiles to match them).
   */
  grantNotifierAccess(grantee: IGrantable): void {
    this.grant(grantee, this.changes, CHANGES_TABLE, [...READ_ACTIONS, 'dynamodb:UpdateItem']);
    this.grant(grantee, this.subscribers, SUBSCRIBERS_TABLE, [...READ_ACTIONS, 'dynamodb:Scan', ...WRITE_ACTIONS]);
    // Its delivery health (rejections, parked subscribers) for the ops check (issue 19,
    // item 1): one item, `NOTIFIER` × `DELIVERY` in the state table, read and put, no other key.
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        resources: [this.state.tableArn],
        conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['NOTIFIER'] } },
      }),
    );
  }

  /**
   * Grant `actions` on the table, and the query actions among them on each of its indexes
   * by name. Naming the indexes (instead of the usual `index/*`) keeps the policies free
   * of wildcards.
   */
  private grant(grantee: IGrantable, table: Table, layout: TableLayout, actions: string[]): void {
    const policy = grantee.grantPrincipal;
    policy.addToPrincipalPolicy(new PolicyStatement({ actions, resources: [table.tableArn] }));
    const indexActions = actions.filter((a) => a === 'dynamodb:Query' || a === 'dynamodb:Scan');
    if (layout.indexes.length > 0 && indexActions.length > 0) {
      policy.addToPrincipalPolicy(
        new PolicyStatement({
          actions: indexActions,
          resources: layout.indexes.map((index) => `${table.tableArn}/index/${index.name}`),
        }),
      );
    }
  }
}
