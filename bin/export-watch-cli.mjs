#!/usr/bin/env node
// The `export-watch` command. Runs the TypeScript sources directly through tsx, so the
// command works right after `npm ci` with no build step. tsx, like dynalite,
// aws-ses-v2-local and the CDK, is a devDependency (local tooling no deployed Lambda
// loads; `npm ci` installs it, `npm ci --omit=dev` does not, and then this command cannot run).
import { register } from 'tsx/esm/api';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('#app/cli/main.ts');
process.exitCode = await main(process.argv);
