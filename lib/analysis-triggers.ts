import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, FilterRule, type IFunction, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import type { SourceName } from '#core/change.ts';
import { ANALYSIS_TRIGGER } from '#core/schedule.ts';

/** Properties of {@link AnalysisTriggers}. */
export interface AnalysisTriggersProps {
  /** The change log, whose stream carries the `filing.new` inserts. */
  readonly changes: ITable;
  /** The deployed source functions; those of {@link ANALYSIS_TRIGGER}.analyses get a trigger. */
  readonly functions: ReadonlyMap<SourceName, IFunction>;
  /** Sources disabled in the config: no trigger (their schedule is off too). */
  readonly disabled?: ReadonlySet<SourceName>;
}

/**
 * Starts the revenue and export-language analyses as soon as a `filing.new` change lands:
 * an event source mapping on the change log's stream per analysis function, filtered on
 * inserts of that kind, so no other change ever invokes them (Lambda's event filtering is
 * free, and stream reads by Lambda triggers are not billed). The stream is only a wake-up
 * call: the handler runs one ordinary cycle, which reads every filing detected since its
 * cursor. A lost or failed trigger therefore costs latency, never an alert: the hourly
 * catch-up sweep (DEFAULT_SCHEDULES) runs the same cycle. Reserved concurrency 1 and the
 * source's lease keep one cycle at a time, so a burst of filings becomes one run that
 * fetches the documents one by one inside the SEC budget, never a storm.
 */
export class AnalysisTriggers extends Construct {
  /** The analyses that got a trigger. */
  readonly triggered: readonly SourceName[];

  constructor(scope: Construct, id: string, props: AnalysisTriggersProps) {
    super(scope, id);
    const triggered: SourceName[] = [];
    for (const name of ANALYSIS_TRIGGER.analyses) {
      const fn = props.functions.get(name);
      if (!fn || props.disabled?.has(name)) continue;
      fn.addEventSource(
        new DynamoEventSource(props.changes, {
          startingPosition: StartingPosition.LATEST,
          batchSize: ANALYSIS_TRIGGER.batchSize,
          maxBatchingWindow: Duration.seconds(ANALYSIS_TRIGGER.batchingWindowSeconds),
          // A cycle records its own failures (they never throw); a crash is retried once and
          // then dropped: the sweep picks the filing up, so no dead-letter queue is needed.
          retryAttempts: 1,
          // Records older than the sweep interval are already covered by a sweep.
          maxRecordAge: Duration.hours(1),
          filters: [
            FilterCriteria.filter({
              eventName: FilterRule.isEqual('INSERT'),
              dynamodb: { NewImage: { kind: { S: FilterRule.isEqual(ANALYSIS_TRIGGER.kind) } } },
            }),
          ],
        }),
      );
      triggered.push(name);
    }
    this.triggered = triggered;
  }
}
