import { diffWords } from 'diff';
import { type AlignOptions, alignParagraphs } from './align.ts';
import { comparisonKey, displayText } from './normalise.ts';

/**
 * The export-language diff between two sets of passages. Pure.
 *
 * Paragraphs are aligned by content (`align.ts`); aligned pairs whose comparison keys differ
 * are "changed" and get a word-level diff (jsdiff's `diffWords`) of their display texts;
 * the rest are added or removed. Equal keys are no change: quote styles, dashes, spacing,
 * "licence"/"license", "U.S. government"/"USG", "D5"/"D:5" or list numbering never show up.
 * A paragraph that one version splits in two (a page break the extractor could not mend)
 * is recognised and is no change either.
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
  diff: WordOp[];
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

/** Word diff of two paragraphs, adjacent steps of one kind merged. */
export function wordDiff(before: string, after: string): WordOp[] {
  const ops: WordOp[] = [];
  for (const part of diffWords(before, after)) {
    const op: WordOp['op'] = part.added ? 'insert' : part.removed ? 'delete' : 'equal';
    const last = ops[ops.length - 1];
    if (last && last.op === op) last.text += part.value;
    else ops.push({ op, text: part.value });
  }
  return ops;
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
      const beforeText = a.texts[p.oldIndex] as string;
      const afterText = b.texts[p.newIndex] as string;
      return { before: beforeText, after: afterText, diff: wordDiff(beforeText, afterText) };
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
