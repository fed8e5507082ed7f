import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ESBUILD_TARGET, ESM_REQUIRE_BANNER } from '#lib/watch-function.ts';
import { REPO_ROOT } from '#test/support/fixtures.ts';

/** One synthesized function bundle. */
export interface BundleRow {
  fn: string;
  bytes: number;
  initMs: number;
  initRatio: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** Module-initialisation time of a bundle in a fresh node process (median of `runs`). */
function initTime(file: string, runs: number): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(`file://${file}`)}); process.stdout.write(String(performance.now() - t));`;
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: REPO_ROOT,
      env: { ...process.env, AWS_REGION: 'us-east-1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    samples.push(Number(out.toString()));
  }
  return median(samples);
}

/**
 * Synthesize the stack, then measure each function's bundle as deployed (size of the
 * minified `index.mjs`) and its cold module-initialisation time relative to an empty
 * handler bundled with the same esbuild settings.
 */
export async function runBundleBench(options: { runs?: number } = {}): Promise<BundleRow[]> {
  const runs = options.runs ?? 7;
  const out = mkdtempSync(join(REPO_ROOT, 'cdk.out.bench-'));
  execFileSync('npx', ['cdk', 'synth', '--quiet', '--output', out], {
    cwd: REPO_ROOT,
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_HOME: join(REPO_ROOT, '.cdk-home') },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const template = JSON.parse(readFileSync(join(out, 'ExportWatch.template.json'), 'utf8')) as {
    Resources: Record<string, { Type: string; Metadata?: Record<string, string> }>;
  };

  // The empty handler, built exactly like the functions.
  const emptyDir = join(out, 'empty-handler');
  mkdirSync(emptyDir, { recursive: true });
  writeFileSync(join(emptyDir, 'handler.ts'), 'export const handler = async () => ({ ok: true });\n');
  await build({
    entryPoints: [join(emptyDir, 'handler.ts')],
    outfile: join(emptyDir, 'index.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: ESBUILD_TARGET,
    minify: true,
    banner: { js: ESM_REQUIRE_BANNER },
    external: ['@aws-sdk/*'],
  });
  const emptyInit = initTime(join(emptyDir, 'index.mjs'), runs);

  const rows: BundleRow[] = [{ fn: '(empty handler)', bytes: statSync(join(emptyDir, 'index.mjs')).size, initMs: emptyInit, initRatio: 1 }];
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const assetPath = resource.Metadata?.['aws:asset:path'];
    const cdkPath = resource.Metadata?.['aws:cdk:path'] ?? '?';
    if (!assetPath) continue;
    const dir = join(out, assetPath);
    const file = readdirSync(dir).find((f) => f === 'index.mjs' || f === 'index.js');
    if (!file) continue;
    const initMs = initTime(join(dir, file), runs);
    rows.push({
      fn: cdkPath.replace(/^ExportWatch\//, '').replace(/\/Resource$/, ''),
      bytes: statSync(join(dir, file)).size,
      initMs,
      initRatio: initMs / emptyInit,
    });
  }
  execFileSync('rm', ['-rf', out]);
  return rows;
}

export function formatBundleBench(rows: BundleRow[]): string {
  return [
    '| function | bundle (minified) | goal ≤ 500 KB | cold init (median) | init ÷ empty handler |',
    '|---|---:|---|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.fn} | ${(r.bytes / 1024).toFixed(1)} KB | ${r.bytes <= 500 * 1024 ? 'met' : 'MISSED'} | ${r.initMs.toFixed(1)} ms | ${r.initRatio.toFixed(1)}× |`,
    ),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(formatBundleBench(await runBundleBench()));
}
