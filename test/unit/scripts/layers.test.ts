import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  buildsClients,
  checkLayers,
  importsOf,
  type LayerRules,
  matchPattern,
  parseLayerRules,
  resolveImport,
  ruleFor,
} from '#scripts/layers.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const ALIASES = { '#core/*': './lambdas/core/*', '#store/*': './lambdas/store/*', '#sources/*': './lambdas/sources/*' };

/** A small rule set in the doc's own format, so the parser is exercised too. */
const RULES: LayerRules = parseLayerRules(`
<!-- layer-rules:begin -->
| Folder | Holds | May import | AWS packages |
|---|---|---|---|
| \`lambdas/core\` | kernel | — | no |
| \`lambdas/store\` | adapters | \`lambdas/core\` | yes |
| \`lambdas/sources/*\` | one source | \`lambdas/core\`, \`lambdas/sources/*/contract.ts\` | no |
| \`lambdas/app\` | outer layer | \`lambdas\`, \`!lambdas/app/cli\` | yes |
| \`lambdas/app/cli\` | commands | \`lambdas\` | yes |
| \`lambdas/a\` | test folder a | \`lambdas/b\` | no |
| \`lambdas/b\` | test folder b | \`lambdas/a\` | no |
<!-- layer-rules:end -->
Composition root: \`lambdas/app/compose.ts\`
Governed folders: \`lambdas\`
`);

function check(files: Record<string, string>) {
  return checkLayers(new Map(Object.entries(files)), RULES, ALIASES);
}

describe('the layering check (scripts/layers.ts)', () => {
  it('matches folder patterns by segment, and file patterns exactly', () => {
    expect(matchPattern('lambdas/sources/*', 'lambdas/sources/sec-filings/detect.ts')).toBe('lambdas/sources/sec-filings');
    expect(matchPattern('lambdas/sources/*', 'lambdas/sources/index.ts')).toBeUndefined();
    expect(matchPattern('lambdas/sources/*/contract.ts', 'lambdas/sources/entity-list/contract.ts')).toBe(
      'lambdas/sources/entity-list/contract.ts',
    );
    expect(matchPattern('lambdas/sources/*/contract.ts', 'lambdas/sources/entity-list/detect.ts')).toBeUndefined();
    expect(matchPattern('lambdas/core', 'lambdas/corex/a.ts')).toBeUndefined();
    // The most specific rule wins: app/cli over app.
    expect(ruleFor(RULES.rules, 'lambdas/app/cli/main.ts')?.rule.folder).toBe('lambdas/app/cli');
    expect(ruleFor(RULES.rules, 'lambdas/app/compose.ts')?.rule.folder).toBe('lambdas/app');
  });

  it('reads imports, exports, side-effect and dynamic imports, but not examples in comments', () => {
    const refs = importsOf(
      [
        "import type { A } from '#core/a.ts';",
        "export { b } from './b.ts';",
        "import './side.ts';",
        'const m = await import("../m.ts");',
        "// import { x } from '#store/x.ts';",
        "/** e.g. `import { y } from '#store/y.ts'` */",
        'const s = \'import z from "#store/z.ts"\';',
      ].join('\n'),
    );
    expect(refs.map((r) => r.specifier)).toEqual(['#core/a.ts', './b.ts', './side.ts', '../m.ts']);
    expect(refs.map((r) => r.line)).toEqual([1, 2, 3, 4]);
  });

  it('resolves #subpaths and relative paths to repository paths, packages to their names', () => {
    expect(resolveImport('lambdas/notify/x.ts', '#core/config.ts', ALIASES)).toBe('lambdas/core/config.ts');
    expect(resolveImport('lambdas/notify/render/x.ts', '../kit.ts', ALIASES)).toBe('lambdas/notify/kit.ts');
    expect(resolveImport('lambdas/notify/x.ts', '@aws-sdk/client-ses', ALIASES)).toBe('package:@aws-sdk/client-ses');
    expect(resolveImport('lambdas/notify/x.ts', 'zod/mini', ALIASES)).toBe('package:zod');
  });

  it('accepts imports inwards and inside a folder', () => {
    const report = check({
      'lambdas/core/a.ts': "import { b } from './b.ts';",
      'lambdas/core/b.ts': 'export const b = 1;',
      'lambdas/store/s.ts': "import { a } from '#core/a.ts'; import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
      'lambdas/sources/x/detect.ts': "import { a } from '#core/a.ts'; import type { Y } from '../y/contract.ts';",
      'lambdas/sources/y/contract.ts': 'export type Y = 1;',
      'lambdas/app/compose.ts': "import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; export const db = new DynamoDBClient({});",
      'lambdas/app/cli/main.ts': "import { db } from '#app/compose.ts';",
    });
    expect(report.violations).toEqual([]);
    expect(report.cycles).toEqual([]);
    expect(report.wiringSites).toEqual(['lambdas/app/compose.ts']);
  });

  it('reports an outward import, an excluded folder, another source’s internals and an AWS package where the rule says no', () => {
    const report = check({
      'lambdas/core/a.ts': "import { s } from '../store/s.ts';",
      'lambdas/store/s.ts': 'export const s = 1;',
      'lambdas/sources/x/detect.ts': "import { d } from '../y/detect.ts';\nimport { SESClient } from '@aws-sdk/client-ses';",
      'lambdas/sources/y/detect.ts': 'export const d = 1;',
      'lambdas/app/lambda/h.ts': "import { run } from '../cli/main.ts';",
      'lambdas/app/cli/main.ts': 'export const run = 1;',
    });
    expect(report.violations.map((v) => `${v.file} → ${v.target}`)).toEqual([
      'lambdas/app/lambda/h.ts:1 → lambdas/app/cli/main.ts',
      'lambdas/core/a.ts:1 → lambdas/store/s.ts',
      'lambdas/sources/x/detect.ts:1 → lambdas/sources/y/detect.ts',
      'lambdas/sources/x/detect.ts:2 → @aws-sdk/client-ses',
    ]);
    expect(report.violations[1]!.reason).toBe('lambdas/core may import nothing else');
  });

  it('reports a cycle between folders even when each import is allowed', () => {
    const report = check({
      'lambdas/a/one.ts': "import { two } from '../b/two.ts';",
      'lambdas/b/two.ts': "import { one } from '../a/one.ts';",
    });
    expect(report.violations).toEqual([]);
    expect(report.cycles).toEqual([['lambdas/a', 'lambdas/b']]);
  });

  it('reports a folder with no rule, and clients built outside the composition root', () => {
    const report = check({
      'lambdas/newfolder/x.ts': 'export const x = 1;',
      'lambdas/store/dynamo.ts':
        "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nimport { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';\nexport const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));",
    });
    expect(report.violations.map((v) => v.reason)).toEqual([
      'no rule in docs/architecture.md covers this folder',
      'builds an AWS SDK or upstream client outside lambdas/app/compose.ts',
    ]);
    expect(report.strayWiring).toEqual(['lambdas/store/dynamo.ts']);
  });

  it('tells a client built from an @aws-sdk import from a class of the same shape that is not one', () => {
    expect(buildsClients("import { SNSClient } from '@aws-sdk/client-sns';\nconst c = new SNSClient({});")).toBe(true);
    expect(buildsClients("import { type SNSClient as Sns } from '@aws-sdk/client-sns';\nconst c = new Sns({});")).toBe(false);
    expect(buildsClients('class FakeClient {}\nconst c = new FakeClient();')).toBe(false);
    expect(buildsClients("import { UpstreamClient } from '#core/http.ts';\nconst h = new UpstreamClient({});")).toBe(true);
    expect(buildsClients('// new UpstreamClient(...) is built in compose.ts')).toBe(false);
  });

  it('fails clearly on a rules table it cannot read', () => {
    expect(() => parseLayerRules('# no table')).toThrow(/layer-rules:begin/);
    expect(() =>
      parseLayerRules(
        '<!-- layer-rules:begin -->\n| `lambdas/core` | x | — | maybe |\n<!-- layer-rules:end -->\nComposition root: `a`\nGoverned folders: `b`',
      ),
    ).toThrow(/yes or no/);
  });
});

describe('this repository', () => {
  const rules = parseLayerRules(readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8'));

  it('states its rules in docs/architecture.md: every lambdas/ folder has a row, one composition root', () => {
    const folders = readdirSync(join(ROOT, 'lambdas'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => `lambdas/${d.name}`);
    for (const folder of folders)
      expect(
        rules.rules.some((r) => r.folder === folder || r.folder.startsWith(`${folder}/`)),
        folder,
      ).toBe(true);
    expect(rules.compositionRoots).toEqual(['lambdas/app/compose.ts']);
  });

  it('breaks none of them: no wrong-way import, no folder cycle, clients built only in the composition root', () => {
    const files = new Map<string, string>();
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.(ts|mjs)$/.test(e.name)) files.set(relative(ROOT, p).split(sep).join('/'), readFileSync(p, 'utf8'));
      }
    };
    for (const d of ['lambdas', 'lib', 'bin']) walk(join(ROOT, d));
    const aliases = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).imports;
    const report = checkLayers(files, rules, aliases);
    expect(report.violations.map((v) => `${v.file}: ${v.specifier} (${v.reason})`)).toEqual([]);
    expect(report.cycles).toEqual([]);
    expect(report.wiringSites).toEqual(['lambdas/app/compose.ts']);
    expect(report.imports).toBeGreaterThan(500);
  });
});
