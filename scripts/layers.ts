/**
 * The layering check: reads the import graph of the repository and the rules of
 * docs/architecture.md, and lists every import that breaks a rule, every cycle between
 * folders and every place outside the composition root that builds an AWS SDK client or
 * the upstream HTTP client. Pure: the caller hands in the files' text, the rules and the
 * `imports` map of package.json (scripts/check-layers.ts reads them from disk).
 */
import { posix } from 'node:path';

/** One row of the rules table: files below `folder` may import what `allow` lists. */
export interface LayerRule {
  /** Folder or file pattern; a `*` segment stands for one folder name (`lambdas/sources/*`). */
  folder: string;
  /** Patterns the folder may import besides itself; a leading `!` excludes (`lambdas`, `!lambdas/app/cli`). */
  allow: string[];
  /** Whether the folder may import AWS packages ({@link AWS_PACKAGES}). */
  aws: boolean;
}

/** The rules as docs/architecture.md states them. */
export interface LayerRules {
  rules: LayerRule[];
  /** The only files that may build AWS SDK clients or the upstream HTTP client. */
  compositionRoots: string[];
  /** Top-level folders whose files must each fall under a rule (a new folder needs a row). */
  governed: string[];
}

/** An import that breaks a rule. */
export interface Violation {
  file: string;
  specifier: string;
  /** The imported file (repository path) or package. */
  target: string;
  reason: string;
}

/** What {@link checkLayers} found. */
export interface LayerReport {
  violations: Violation[];
  /** Each cycle between folders, as the folders on it. */
  cycles: string[][];
  /** Files that build clients: inside a composition root or not. */
  wiringSites: string[];
  /** Wiring sites outside the composition roots (each is also a violation). */
  strayWiring: string[];
  /** Number of imports read. */
  imports: number;
}

/** Packages that only the AWS-facing layers may import (adapters, the app, the CDK code). */
export const AWS_PACKAGES = [
  /^@aws-sdk\//,
  /^@aws-lambda-powertools\//,
  /^@middy\//,
  /^aws-lambda$/,
  /^aws-cdk-lib(\/|$)/,
  /^constructs$/,
  /^cdk-nag$/,
];

const RULES_BEGIN = '<!-- layer-rules:begin -->';
const RULES_END = '<!-- layer-rules:end -->';

/**
 * Read the rules table of docs/architecture.md: the rows between the `layer-rules` markers,
 * columns Folder | Holds | May import | AWS packages, patterns in backticks; and the
 * `Composition root:` and `Governed folders:` lines.
 */
export function parseLayerRules(markdown: string): LayerRules {
  const begin = markdown.indexOf(RULES_BEGIN);
  const end = markdown.indexOf(RULES_END);
  if (begin < 0 || end < begin) throw new Error(`docs/architecture.md: no ${RULES_BEGIN} … ${RULES_END} table`);
  const rules: LayerRule[] = [];
  for (const line of markdown.slice(begin + RULES_BEGIN.length, end).split('\n')) {
    const cells = line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|');
    if (cells.length < 4) continue;
    const [folderCell = '', , allowCell = '', awsCell = ''] = cells.map((c) => c.trim());
    const folder = backticked(folderCell)[0];
    if (!folder) continue; // header and separator rows
    const aws = /^yes\b/i.test(awsCell);
    if (!aws && !/^no\b/i.test(awsCell))
      throw new Error(`docs/architecture.md: rule for ${folder}: the AWS column must start with yes or no`);
    rules.push({ folder, allow: backticked(allowCell), aws });
  }
  if (rules.length === 0) throw new Error('docs/architecture.md: the layer-rules table has no rows');
  const compositionRoots = backticked(/^Composition root[s]?:(.*)$/m.exec(markdown)?.[1] ?? '');
  const governed = backticked(/^Governed folders:(.*)$/m.exec(markdown)?.[1] ?? '');
  if (compositionRoots.length === 0) throw new Error('docs/architecture.md: no "Composition root:" line');
  if (governed.length === 0) throw new Error('docs/architecture.md: no "Governed folders:" line');
  return { rules, compositionRoots, governed };
}

function backticked(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.trim().replace(/\/$/, ''));
}

/**
 * The instance of `pattern` that contains `file`, or undefined: `lambdas/sources/*`
 * contains `lambdas/sources/sec-filings/detect.ts` as `lambdas/sources/sec-filings`. A
 * pattern ending in a file name (`.ts`) matches that file only; any other pattern is a
 * folder and matches the files below it.
 */
export function matchPattern(pattern: string, file: string): string | undefined {
  const p = pattern.split('/');
  const f = file.split('/');
  const isFile = /\.[cm]?[jt]s$/.test(pattern);
  if (isFile ? f.length !== p.length : f.length <= p.length) return undefined;
  for (let i = 0; i < p.length; i++) if (p[i] !== '*' && p[i] !== f[i]) return undefined;
  return f.slice(0, p.length).join('/');
}

/** The most specific rule for a file (most literal segments, then most segments), with the folder instance it matched. */
export function ruleFor(rules: readonly LayerRule[], file: string): { rule: LayerRule; instance: string } | undefined {
  let best: { rule: LayerRule; instance: string; score: number } | undefined;
  for (const rule of rules) {
    const instance = matchPattern(rule.folder, file);
    if (!instance) continue;
    const segments = rule.folder.split('/');
    const score = segments.filter((s) => s !== '*').length * 100 + segments.length;
    if (!best || score > best.score) best = { rule, instance, score };
  }
  return best && { rule: best.rule, instance: best.instance };
}

function allowedBy(allow: readonly string[], target: string): boolean {
  const positive = allow.filter((a) => !a.startsWith('!'));
  const negative = allow.filter((a) => a.startsWith('!')).map((a) => a.slice(1));
  return positive.some((a) => matchPattern(a, target) !== undefined) && !negative.some((a) => matchPattern(a, target) !== undefined);
}

/** An import as written in a file. */
export interface ImportRef {
  specifier: string;
  line: number;
}

// `import … from '…'`, `export … from '…'`, `import '…'` and `import('…')` with a literal.
const IMPORT_RE = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The imports of one TypeScript/JavaScript source (comments are blanked first, so an example in a comment is not an import). */
export function importsOf(source: string): ImportRef[] {
  const code = blankComments(source);
  const refs: ImportRef[] = [];
  for (const m of code.matchAll(IMPORT_RE)) {
    const specifier = m[1] ?? m[2]!;
    const start = m.index + (/^[\s;]*/.exec(m[0])?.[0].length ?? 0);
    refs.push({ specifier, line: code.slice(0, start).split('\n').length });
  }
  return refs;
}

/** Replace comments with spaces (keeping line breaks and string literals). */
function blankComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`/g, (m) =>
    m.startsWith('/') ? m.replace(/[^\n]/g, ' ') : m,
  );
}

/**
 * Resolve a specifier to a repository path (`lambdas/core/config.ts`) or, for a package,
 * `package:<name>`. `aliases` is package.json's `imports` (`"#core/*": "./lambdas/core/*"`).
 */
export function resolveImport(file: string, specifier: string, aliases: Record<string, string>): string {
  if (specifier.startsWith('.')) return posix.normalize(posix.join(posix.dirname(file), specifier));
  if (specifier.startsWith('#')) {
    for (const [key, value] of Object.entries(aliases).sort((a, b) => b[0].length - a[0].length)) {
      const prefix = key.replace(/\*$/, '');
      if (key.endsWith('*') ? specifier.startsWith(prefix) : specifier === key) {
        const rest = key.endsWith('*') ? specifier.slice(prefix.length) : '';
        return posix.normalize(value.replace(/\*$/, '') + rest).replace(/^\.\//, '');
      }
    }
    return `package:${specifier}`;
  }
  if (specifier.startsWith('node:')) return `package:${specifier}`;
  const parts = specifier.split('/');
  return `package:${specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]}`;
}

const SDK_CLIENT_RE = /\bnew\s+([A-Z][A-Za-z0-9]*Client)\s*\(/g;
const WIRING_EXTRA_RE = /\bDynamoDBDocumentClient\.from\s*\(|\bnew\s+UpstreamClient\s*\(/;

/** Whether a file builds an AWS SDK client (a `…Client` imported from `@aws-sdk/…`) or the upstream HTTP client. */
export function buildsClients(source: string): boolean {
  const code = blankComments(source);
  if (WIRING_EXTRA_RE.test(code)) return true;
  const sdkNames = new Set<string>();
  for (const m of code.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*['"]@aws-sdk\/[^'"]+['"]/g)) {
    for (const part of m[1]!.split(',')) {
      const name = part
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .pop()
        ?.trim();
      if (name) sdkNames.add(name);
    }
  }
  return [...code.matchAll(SDK_CLIENT_RE)].some((m) => sdkNames.has(m[1]!));
}

/**
 * Check the files against the rules. `files` maps repository paths (posix, relative) to
 * their text; only files below a governed folder are checked, but every file is a
 * possible import target.
 */
export function checkLayers(files: ReadonlyMap<string, string>, layerRules: LayerRules, aliases: Record<string, string>): LayerReport {
  const { rules, compositionRoots, governed } = layerRules;
  const violations: Violation[] = [];
  const edges = new Map<string, Map<string, string>>(); // folder instance → folder instance → an example import
  const wiringSites: string[] = [];
  let imports = 0;
  const isGoverned = (f: string) => governed.some((g) => matchPattern(g, f) !== undefined || f === g);
  for (const [file, source] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    if (!isGoverned(file)) continue;
    const own = ruleFor(rules, file);
    if (!own) {
      violations.push({ file, specifier: '', target: file, reason: 'no rule in docs/architecture.md covers this folder' });
      continue;
    }
    if (buildsClients(source)) wiringSites.push(file);
    for (const ref of importsOf(source)) {
      imports++;
      const target = resolveImport(file, ref.specifier, aliases);
      const where = `${file}:${ref.line}`;
      if (target.startsWith('package:')) {
        const name = target.slice('package:'.length);
        if (!own.rule.aws && AWS_PACKAGES.some((re) => re.test(name))) {
          violations.push({
            file: where,
            specifier: ref.specifier,
            target: name,
            reason: `${own.rule.folder} may not import AWS packages`,
          });
        }
        continue;
      }
      const theirs = ruleFor(rules, target);
      // Inside its own folder a file may import anything (a sub-folder with a rule of its own is another folder).
      if (theirs && theirs.rule === own.rule && theirs.instance === own.instance) continue;
      const targetFolder = theirs?.instance ?? posix.dirname(target);
      if (!allowedBy(own.rule.allow, target)) {
        violations.push({
          file: where,
          specifier: ref.specifier,
          target,
          reason: `${own.rule.folder} may import ${own.rule.allow.join(', ') || 'nothing else'}`,
        });
      }
      if (theirs && isGoverned(target)) {
        let out = edges.get(own.instance);
        if (!out) {
          out = new Map();
          edges.set(own.instance, out);
        }
        if (!out.has(targetFolder)) out.set(targetFolder, where);
      }
    }
  }
  const strayWiring = wiringSites.filter((f) => !compositionRoots.includes(f));
  for (const f of strayWiring) {
    violations.push({
      file: f,
      specifier: '',
      target: f,
      reason: `builds an AWS SDK or upstream client outside ${compositionRoots.join(', ')}`,
    });
  }
  return { violations, cycles: folderCycles(edges), wiringSites, strayWiring, imports };
}

/** Strongly connected components of more than one folder (Tarjan), each sorted. */
function folderCycles(edges: ReadonlyMap<string, ReadonlyMap<string, string>>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!indices.has(v)) visit(v);
  return out;
}
