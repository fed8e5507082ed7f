import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ExportWatchStack } from '#lib/export-watch-stack.ts';

/**
 * The CDK app (`cdk.json` runs it with tsx). One environment-agnostic stack; the account
 * and region come from the CLI's credentials at deploy time.
 */
const app = new App();
new ExportWatchStack(app, 'ExportWatch', {
  description: 'export-watch: polls SEC EDGAR, the Federal Register and the trade.gov screening list; e-mails changes',
});
Tags.of(app).add('project', 'export-watch');

// cdk-nag as a policy-validation plugin: any unacknowledged AwsSolutions error fails the
// synth (and so `cdk deploy`). Acknowledgements, each with its reason, are in lib/nag.ts.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
