import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import type { SourceName } from '#core/change.ts';
import { SOURCES } from '#sources/index.ts';
import { DEFAULT_HANDLER_ENTRIES } from '#lib/entries.ts';
import { PROJECT_ROOT } from '#lib/export-watch-stack.ts';
import { ESBUILD_TARGET } from '#lib/watch-function.ts';

/**
 * Issue 19, item 14: local-only tooling stays out of the deployed path. `dependencies` lists
 * only what a deployed Lambda bundle contains (plus the AWS SDK, external in the bundle and
 * provided by the runtime, and the CLI's own parser); CDK, esbuild, tsx and the local
 * emulators are devDependencies (`npm ci` still installs them for the quick start).
 */
const TOOLING = [
  'aws-cdk-lib',
  'constructs',
  'esbuild',
  'tsx',
  'dynalite',
  'aws-ses-v2-local',
  'aws-cdk',
  'cdk-nag',
  'vitest',
  'typescript',
];

const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { dev?: boolean; version?: string }>;
};

/** Every deployed handler, as lib/ wires them. */
const { source, ...functions } = DEFAULT_HANDLER_ENTRIES;
const HANDLERS = [...(Object.keys(SOURCES) as SourceName[]).map(source), ...Object.values(functions)];

/** The npm packages esbuild puts into a handler's bundle (the WatchFunction settings that matter here). */
async function bundledPackages(entry: string): Promise<Map<string, string>> {
  const result = await build({
    entryPoints: [join(PROJECT_ROOT, entry)],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: ESBUILD_TARGET,
    mainFields: ['module', 'main'],
    external: ['@aws-sdk/*'],
    metafile: true,
    logLevel: 'silent',
  });
  const out = new Map<string, string>();
  for (const input of Object.keys(result.metafile.inputs)) {
    const at = input.lastIndexOf('node_modules/');
    if (at < 0) continue;
    const path =
      input.slice(0, at) +
      'node_modules/' +
      input
        .slice(at + 'node_modules/'.length)
        .split('/')
        .slice(0, input.slice(at + 13).startsWith('@') ? 2 : 1)
        .join('/');
    out.set(path.slice(path.lastIndexOf('node_modules/') + 13), path);
  }
  return out;
}

describe('runtime dependencies (issue 19, item 14)', () => {
  it('dependencies hold no local-only tooling (CDK, esbuild, tsx, dynalite, aws-ses-v2-local): they are devDependencies', () => {
    expect(Object.keys(pkg.dependencies).filter((d) => TOOLING.includes(d))).toEqual([]);
    for (const tool of ['aws-cdk-lib', 'constructs', 'esbuild', 'tsx', 'dynalite', 'aws-ses-v2-local'])
      expect(pkg.devDependencies[tool], tool).toBeDefined();
  });

  it('every deployed bundle contains only runtime (non-dev) packages, and none of the tooling', async () => {
    const seen = new Set<string>();
    for (const entry of HANDLERS) {
      for (const [name, path] of await bundledPackages(entry)) {
        seen.add(name);
        expect(TOOLING, `${entry} bundles ${name}`).not.toContain(name);
        const locked = lock.packages[path];
        expect(locked, `${path} in package-lock.json`).toBeDefined();
        // npm marks a package `dev` when only devDependencies need it: a bundle must never contain one.
        expect(locked?.dev, `${entry} bundles ${name}, which only devDependencies need`).not.toBe(true);
      }
    }
    // The packages the bundles are made of, so an addition is noticed (docs/reliability.md lists them).
    expect([...seen].filter((n) => !n.startsWith('dom') && n !== 'entities').sort()).toEqual([
      '@aws-lambda-powertools/commons',
      '@aws-lambda-powertools/logger',
      '@aws-lambda-powertools/metrics',
      '@aws/lambda-invoke-store',
      '@middy/core',
      'croner',
      'diff',
      'htmlparser2',
      'nodemailer',
      'zod',
    ]);
  }, 120_000);

  it('the deployed nodemailer is the direct dependency; the other versions come from aws-ses-v2-local (dev only)', () => {
    const copies = Object.entries(lock.packages).filter(([path]) => path.endsWith('node_modules/nodemailer'));
    const runtime = copies.filter(([, p]) => p.dev !== true).map(([path, p]) => `${path}@${p.version}`);
    expect(runtime).toEqual([`node_modules/nodemailer@${pkg.dependencies.nodemailer}`]);
    for (const [path, p] of copies) if (path !== 'node_modules/nodemailer') expect(p.dev, path).toBe(true);
  });
});
