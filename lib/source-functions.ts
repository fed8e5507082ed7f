import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { SourceName } from '#core/change.ts';
import { pascalCase } from './names.ts';
import type { ExportWatchTables } from './tables.ts';
import { WatchFunction } from './watch-function.ts';

/** Properties of {@link SourceFunctions}. */
export interface SourceFunctionsProps {
  /** The sources to deploy. */
  readonly sources: readonly SourceName[];
  /** Handler file per source, absolute or relative to `projectRoot` (lib/entries.ts has the defaults). */
  readonly entryFor: (source: SourceName) => string;
  /** Directory holding `package-lock.json`. */
  readonly projectRoot: string;
  /** Tables the sources read and write. */
  readonly tables: ExportWatchTables;
  /** Environment shared by every export-watch function. */
  readonly environment: Record<string, string>;
}

/** One Lambda per source given, each granted its source's table access. */
export class SourceFunctions extends Construct {
  /** The deployed source functions, by source name, in the order given. */
  readonly functions: ReadonlyMap<SourceName, WatchFunction>;

  constructor(scope: Construct, id: string, props: SourceFunctionsProps) {
    super(scope, id);
    const functions = new Map<SourceName, WatchFunction>();
    for (const source of props.sources) {
      const fn = new WatchFunction(this, pascalCase(source), {
        entry: props.entryFor(source),
        projectRoot: props.projectRoot,
        description: `export-watch source ${source}: one poll cycle`,
        // A cycle that has not finished in 5 minutes is stuck; the lease lets the next run take over.
        timeout: Duration.minutes(5),
        // Never two cycles of the same source at once: they would race on the cursor, and
        // SEC's fair-access limit is per client, so parallel runs could exceed it.
        reservedConcurrentExecutions: 1,
        environment: props.environment,
      });
      props.tables.grantSourceAccess(fn.role);
      functions.set(source, fn);
    }
    this.functions = functions;
  }
}
