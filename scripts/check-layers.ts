/**
 * `npm run layers`: fail on any import that breaks the rules of docs/architecture.md
 * (scripts/layers.ts does the work). Part of `npm test`.
 *
 * Options (for measuring another checkout, e.g. a commit before a refactor):
 * - `--root DIR`: the repository to read (default: this one); the rules always come from this one's docs/architecture.md.
 * - `--map OLD=NEW`: read the files below OLD as if they were below NEW (a folder's old name).
 * - `--quiet`: print only the summary line.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLayers, parseLayerRules } from './layers.ts';

const HERE = fileURLToPath(new URL('..', import.meta.url));
const SOURCE_EXTENSIONS = /\.(ts|mts|mjs|js)$/;
const SKIP_DIRS = new Set(['node_modules', 'cdk.out', '.git', 'fixtures', '.cdk-home', '.export-watch']);

function listFiles(root: string, dir = root, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) listFiles(root, join(dir, entry.name), out);
    } else if (SOURCE_EXTENSIONS.test(entry.name)) out.push(relative(root, join(dir, entry.name)).split(sep).join('/'));
  }
  return out;
}

function main(argv: string[]): number {
  let root = HERE;
  let quiet = false;
  const maps: [string, string][] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--root') root = argv[++i] ?? root;
    else if (argv[i] === '--quiet') quiet = true;
    else if (argv[i] === '--map') {
      const [from, to] = (argv[++i] ?? '').split('=');
      if (!from || !to) throw new Error('--map takes OLD=NEW');
      maps.push([from.replace(/\/$/, ''), to.replace(/\/$/, '')]);
    }
  }
  const rename = (p: string) => {
    for (const [from, to] of maps) if (p === from || p.startsWith(`${from}/`)) return to + p.slice(from.length);
    return p;
  };
  const rules = parseLayerRules(readFileSync(join(HERE, 'docs/architecture.md'), 'utf8'));
  const aliases: Record<string, string> = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).imports ?? {};
  const files = new Map<string, string>();
  for (const file of listFiles(root)) {
    let text = readFileSync(join(root, file), 'utf8');
    // A renamed folder: relative imports written from the old place are rewritten to repository paths first.
    if (maps.length > 0)
      text = text.replace(
        /(['"])(\.{1,2}\/[^'"]+)\1/g,
        (_m, q, spec) => `${q}${relativeFrom(rename(file), rename(join(file, '..', spec).split(sep).join('/')))}${q}`,
      );
    files.set(rename(file), text);
  }
  const report = checkLayers(files, rules, aliases);
  if (!quiet) {
    for (const v of report.violations) console.log(`${v.file}: ${v.specifier ? `imports ${v.specifier} — ` : ''}${v.reason}`);
    for (const c of report.cycles) console.log(`cycle between folders: ${c.join(' ⇄ ')}`);
  }
  const wrongWay = report.violations.length - report.strayWiring.length;
  console.log(
    `layers: ${report.imports} imports in ${files.size} files; ${wrongWay} wrong-way imports, ${report.cycles.length} folder cycles, ` +
      `${report.wiringSites.length} wiring sites (${report.strayWiring.length} outside ${rules.compositionRoots.join(', ')})`,
  );
  return report.violations.length > 0 || report.cycles.length > 0 ? 1 : 0;
}

function relativeFrom(fromFile: string, target: string): string {
  const rel = relative(join(fromFile, '..'), target).split(sep).join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

process.exitCode = main(process.argv.slice(2));
