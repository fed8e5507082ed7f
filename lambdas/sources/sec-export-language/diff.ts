import { diffWords } from 'diff';
import { type AlignOptions, alignParagraphs } from './align.ts';
import { comparisonKey, displayText, tokens } from '../sec/normalise.ts';

/**
 * The export-language diff between two sets of passages. Pure.
 *
 * Paragraphs are aligned by content (`align.ts`); aligned pairs whose comparison keys differ
 * are "changed" and get a word-level diff (jsdiff's `diffWords`) of their display texts;
 * the rest are added or removed. Equal keys are no change: quote styles, dashes, spacing,
 * "licence"/"license", "U.S. government"/"USG", "D5"/"D:5" or list numbering never show up.
 * A paragraph that one version splits in two (a page break the extractor could not mend)
 * is recognised and is no change either.
 *
 * The word diff of a changed paragraph hides the same variants (a step that only swaps
 * "licence" for "license" or drops a comma shows as unchanged, in the new wording), folds
 * the one- and two-word "equal" scraps that jsdiff finds between rewritten stretches into
 * the rewrite (common words such as "our" or "and" matched across unrelated sentences), and
 * gives up on words entirely when little survives: such a pair is shown as replaced.
 */

/** One step of a word diff. */
export interface WordOp {
  op: 'equal' | 'insert' | 'delete';
  text: string;
}

/** A paragraph present in both versions with different wording. */
export interface ChangedPassage {
  before: string;
  after: string;
  /**
   * Word diff ({@link readableDiff}): the `equal` and `insert` steps spell `after`; the
   * `delete` steps are what `before` said instead (an `equal` step may be a mere variant of
   * the old wording, e.g. "USG" where `before` has "U.S. government").
   */
  diff: WordOp[];
  /**
   * True when the paragraph was rewritten rather than edited ({@link isRewrite}): `diff`
   * is then the whole old paragraph deleted and the whole new one inserted.
   */
  replaced?: true;
}

/** Added, removed and changed passages: the `data` of an `export-language.*` change minus its identifiers. */
export interface PassageDiff {
  added: string[];
  removed: string[];
  changed: ChangedPassage[];
}

/** Options of {@link diffPassages}. */
export interface DiffOptions extends AlignOptions {
  /**
   * Report old passages missing from the new version. False when the new document only
   * restates what changed (a 10-Q's Part II Item 1A: "Other than the risk factors listed
   * below, there have been no material changes"): paragraphs it does not repeat stay in force.
   */
  reportRemoved?: boolean;
}

/** {@link PassageDiff} plus what the caller needs to keep a running reference. */
export interface PassageDiffResult extends PassageDiff {
  /** Old passages the new version did not match (reported as `removed` only with `reportRemoved`). */
  unmatched: string[];
  /** Passages present unchanged in both. */
  unchanged: number;
}

/** Append a step, merging it into the last one when of the same kind; empty steps are dropped. */
function push(ops: WordOp[], op: WordOp['op'], text: string): void {
  if (text === '') return;
  const last = ops[ops.length - 1];
  if (last && last.op === op) last.text += text;
  else ops.push({ op, text });
}

/** Words of a diff step as the comparison sees them (punctuation and case dropped). */
const wordCount = (text: string): number => tokens(text).length;

/** Words of context either side of a step that {@link isNoise} looks at. */
const NOISE_CONTEXT_WORDS = 3;
/** An `equal` step of fewer words than this between two edits is a scrap, not kept text. */
const MIN_KEPT_WORDS = 3;
/** Below this share of kept words a fragmented diff is shown as a replacement. */
export const MIN_KEPT_SHARE = 0.4;

/** The last / first `n` words of a text (whitespace-separated), for context. */
const tail = (text: string, n: number): string => text.split(/\s+/).filter(Boolean).slice(-n).join(' ');
const head = (text: string, n: number): string => text.split(/\s+/).filter(Boolean).slice(0, n).join(' ');

/**
 * True when replacing `removed` by `added` between `left` and `right` changes nothing the
 * comparison sees: a spelling or naming variant, punctuation, or an appositive such as
 * "the U.S. government, or USG," → "the USG" (which needs the neighbouring words to tell).
 */
function isNoise(left: string, removed: string, added: string, right: string): boolean {
  const l = tail(left, NOISE_CONTEXT_WORDS);
  const r = head(right, NOISE_CONTEXT_WORDS);
  return comparisonKey(`${l} ${removed} ${r}`) === comparisonKey(`${l} ${added} ${r}`);
}

/** Cut a diff into alternating runs: `equal` text, or an edit (`removed` → `added`). */
type Run = { equal: string } | { removed: string; added: string };

function runsOf(ops: readonly WordOp[]): Run[] {
  const runs: Run[] = [];
  for (const { op, text } of ops) {
    const last = runs[runs.length - 1];
    if (op === 'equal') {
      if (last && 'equal' in last) last.equal += text;
      else runs.push({ equal: text });
    } else if (last && !('equal' in last)) {
      if (op === 'delete') last.removed += text;
      else last.added += text;
    } else {
      runs.push(op === 'delete' ? { removed: text, added: '' } : { removed: '', added: text });
    }
  }
  return runs;
}

function opsOf(runs: readonly Run[]): WordOp[] {
  const ops: WordOp[] = [];
  for (const run of runs) {
    if ('equal' in run) push(ops, 'equal', run.equal);
    else {
      push(ops, 'delete', run.removed);
      push(ops, 'insert', run.added);
    }
  }
  return ops;
}

/** Edits that change nothing the comparison sees become `equal` (in the new wording). */
function hideNoise(runs: readonly Run[]): Run[] {
  const out: Run[] = [];
  runs.forEach((run, i) => {
    if ('equal' in run) {
      out.push({ ...run });
      return;
    }
    const left = out.map((r) => ('equal' in r ? r.equal : r.added)).join('');
    const next = runs[i + 1];
    const right = next && 'equal' in next ? next.equal : '';
    if (isNoise(left, run.removed, run.added, right)) out.push({ equal: run.added });
    else out.push({ ...run });
  });
  return runsOf(opsOf(out));
}

/**
 * Fold scraps into the edits around them: an `equal` step of fewer than
 * {@link MIN_KEPT_WORDS} words between two edits becomes part of both sides, so a
 * rewritten sentence reads as one deletion and one insertion instead of fragments.
 */
function foldScraps(runs: readonly Run[]): Run[] {
  const out: Run[] = [];
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i] as Run;
    const prev = out[out.length - 1];
    const next = runs[i + 1];
    if ('equal' in run && prev && !('equal' in prev) && next && !('equal' in next) && wordCount(run.equal) < MIN_KEPT_WORDS) {
      prev.removed += run.equal + next.removed;
      prev.added += run.equal + next.added;
      i++;
      continue;
    }
    if (!('equal' in run) && prev && !('equal' in prev)) {
      prev.removed += run.removed;
      prev.added += run.added;
      continue;
    }
    out.push({ ...run });
  }
  return out;
}

/**
 * Plain word diff of two paragraphs (jsdiff's `diffWords`), adjacent steps of one kind
 * merged: the `equal` and `delete` steps spell `before`, the `equal` and `insert` steps
 * `after`. {@link readableDiff} is what a reader is shown.
 */
export function wordDiff(before: string, after: string): WordOp[] {
  const ops: WordOp[] = [];
  for (const part of diffWords(before, after)) push(ops, part.added ? 'insert' : part.removed ? 'delete' : 'equal', part.value);
  return ops;
}

/**
 * The word diff a reader is shown: {@link wordDiff} with variants hidden (in the new
 * wording) and scraps folded into the edits around them (see the module comment). The
 * `equal` and `insert` steps still spell `after`; variants come first, so a hidden
 * "USG" next to a real edit is never folded into it.
 */
export function readableDiff(before: string, after: string): WordOp[] {
  return opsOf(foldScraps(hideNoise(runsOf(wordDiff(before, after)))));
}

/**
 * True when a word diff is mostly noise: some edit replaces words by other words, and the
 * diff keeps less than {@link MIN_KEPT_SHARE} of the longer paragraph's words. Such a pair
 * is better read as the old paragraph and the new one than as a few common words floating
 * in deletions and insertions; a paragraph that only grew (or only lost) sentences keeps
 * its word diff, which then reads well however much was added.
 */
export function isRewrite(diff: readonly WordOp[], before: string, after: string): boolean {
  const rewritten = runsOf(diff).some((r) => !('equal' in r) && wordCount(r.removed) > 0 && wordCount(r.added) > 0);
  if (!rewritten) return false;
  const kept = diff.filter((d) => d.op === 'equal').reduce((n, d) => n + wordCount(d.text), 0);
  return kept < MIN_KEPT_SHARE * Math.max(wordCount(before), wordCount(after));
}

/** The changed passage of a pair: its word diff, or a replacement when that diff is mostly noise. */
export function changedPassage(before: string, after: string): ChangedPassage {
  const diff = readableDiff(before, after);
  if (isRewrite(diff, before, after)) {
    return {
      before,
      after,
      diff: [
        { op: 'delete', text: before },
        { op: 'insert', text: after },
      ],
      replaced: true,
    };
  }
  return { before, after, diff };
}

/** True when a diff reports nothing (such a diff never becomes a change). */
export function isEmptyDiff(diff: PassageDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0;
}

/** Display texts, each wording once (the first occurrence wins). */
function uniqueByKey(texts: readonly string[]): { texts: string[]; keys: string[] } {
  const seen = new Set<string>();
  const out: string[] = [];
  const keys: string[] = [];
  for (const raw of texts) {
    const text = displayText(raw);
    const key = comparisonKey(text);
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    out.push(text);
    keys.push(key);
  }
  return { texts: out, keys };
}

/**
 * Compare the passages of a previous version (`before`) with the current ones (`after`).
 * The result is empty when the two say the same thing in the same words, however they are
 * laid out, ordered or split.
 */
export function diffPassages(before: readonly string[], after: readonly string[], options: DiffOptions = {}): PassageDiffResult {
  const reportRemoved = options.reportRemoved ?? true;
  const a = uniqueByKey(before);
  const b = uniqueByKey(after);

  // Same words in the same order, only cut into paragraphs differently: no change at all.
  if (a.keys.join(' ') === b.keys.join(' ')) return { added: [], removed: [], changed: [], unmatched: [], unchanged: b.texts.length };

  const alignment = alignParagraphs(a.texts, b.texts, options);
  const addedIdx = new Set(alignment.added);
  const removedIdx = new Set(alignment.removed);
  const changedPairs = alignment.pairs.filter((p) => !p.equal);

  // A paragraph split in two on one side (or two merged into one) aligns as a changed pair
  // plus a leftover; when the pieces joined equal the whole, none of it is a change.
  const settled = new Set<number>();
  changedPairs.forEach((pair, n) => {
    const oldKey = a.keys[pair.oldIndex] as string;
    const newKey = b.keys[pair.newIndex] as string;
    if (oldKey.length > newKey.length) {
      const j = [...addedIdx].find((j) => joins(newKey, b.keys[j] as string, oldKey));
      if (j !== undefined) {
        addedIdx.delete(j);
        settled.add(n);
      }
    } else {
      const i = [...removedIdx].find((i) => joins(oldKey, a.keys[i] as string, newKey));
      if (i !== undefined) {
        removedIdx.delete(i);
        settled.add(n);
      }
    }
  });

  const changed: ChangedPassage[] = changedPairs
    .filter((_, n) => !settled.has(n))
    .map((p) => {
      return changedPassage(a.texts[p.oldIndex] as string, b.texts[p.newIndex] as string);
    });
  const unmatched = [...removedIdx].map((i) => a.texts[i] as string);
  return {
    added: [...addedIdx].sort((x, y) => x - y).map((j) => b.texts[j] as string),
    removed: reportRemoved ? unmatched : [],
    changed,
    unmatched,
    unchanged: alignment.pairs.filter((p) => p.equal).length + settled.size,
  };
}

/** True when `part` and `rest`, in either order, make up `whole`. */
function joins(part: string, rest: string, whole: string): boolean {
  return `${part} ${rest}` === whole || `${rest} ${part}` === whole;
}
