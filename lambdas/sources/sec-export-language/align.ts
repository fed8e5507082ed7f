import { comparisonKey, tokens } from '../sec/normalise.ts';

/**
 * Paragraph alignment between two versions of a company's export-control language. Pure.
 *
 * Position means nothing in filings (a 10-Q re-orders risk factors, an MD&A paragraph moves
 * up), so alignment is by content only:
 * 1. equal comparison keys pair up first, wherever the paragraphs stand: a moved paragraph
 *    is neither added nor removed;
 * 2. the remaining paragraphs pair greedily, most similar pair first, when their word
 *    bigram sets overlap enough: Jaccard ≥ `threshold`, or one paragraph's bigrams are
 *    mostly contained in the other's (a paragraph that grew by a sentence or two);
 * 3. whatever is left is added (new side) or removed (old side).
 */

/** Tuning of {@link alignParagraphs}. */
export interface AlignOptions {
  /** Minimum Jaccard similarity of word-bigram sets for two paragraphs to be the same paragraph changed. Default 0.4. */
  threshold?: number;
  /** Minimum share of the shorter paragraph's bigrams found in the longer one. Default 0.7. */
  containment?: number;
  /** Bigrams the shorter paragraph needs before containment alone counts. Default 12. */
  minContainedShingles?: number;
}

/** One aligned pair. */
export interface AlignedPair {
  oldIndex: number;
  newIndex: number;
  /** 1 for equal keys, else the Jaccard similarity of the bigram sets. */
  similarity: number;
  /** True when the comparison keys are equal (no change at all). */
  equal: boolean;
}

/** The result of {@link alignParagraphs}; indexes refer to the inputs. */
export interface Alignment {
  pairs: AlignedPair[];
  added: number[];
  removed: number[];
}

/** Word bigrams of a paragraph (unigrams for one-word texts). */
export function shingles(text: string): Set<string> {
  const t = tokens(text);
  const out = new Set<string>();
  if (t.length === 1) out.add(t[0] as string);
  for (let i = 0; i + 1 < t.length; i++) out.add(`${t[i]} ${t[i + 1]}`);
  return out;
}

/** Jaccard similarity and containment (overlap over the smaller set) of two shingle sets. */
export function similarity(a: ReadonlySet<string>, b: ReadonlySet<string>): { jaccard: number; containment: number; overlap: number } {
  if (a.size === 0 && b.size === 0) return { jaccard: 1, containment: 1, overlap: 0 };
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let overlap = 0;
  for (const s of small) if (large.has(s)) overlap++;
  const union = a.size + b.size - overlap;
  return { jaccard: union === 0 ? 0 : overlap / union, containment: small.size === 0 ? 0 : overlap / small.size, overlap };
}

/** Align two paragraph lists (display texts; keys and bigrams are computed here). */
export function alignParagraphs(oldTexts: readonly string[], newTexts: readonly string[], options: AlignOptions = {}): Alignment {
  const threshold = options.threshold ?? 0.4;
  const containmentMin = options.containment ?? 0.7;
  const minContained = options.minContainedShingles ?? 12;

  const pairs: AlignedPair[] = [];
  const oldFree = new Set(oldTexts.map((_, i) => i));
  const newFree = new Set(newTexts.map((_, i) => i));

  // 1. Equal wording, wherever it stands.
  const byKey = new Map<string, number[]>();
  oldTexts.forEach((t, i) => {
    const k = comparisonKey(t);
    byKey.set(k, [...(byKey.get(k) ?? []), i]);
  });
  newTexts.forEach((t, j) => {
    const k = comparisonKey(t);
    const candidates = byKey.get(k);
    const i = candidates?.shift();
    if (i === undefined) return;
    pairs.push({ oldIndex: i, newIndex: j, similarity: 1, equal: true });
    oldFree.delete(i);
    newFree.delete(j);
  });

  // 2. Similar wording: score every remaining pair, take the best first.
  const oldSh = new Map([...oldFree].map((i) => [i, shingles(oldTexts[i] as string)]));
  const newSh = new Map([...newFree].map((j) => [j, shingles(newTexts[j] as string)]));
  const candidates: Array<{ i: number; j: number; jaccard: number; score: number }> = [];
  for (const [i, a] of oldSh) {
    for (const [j, b] of newSh) {
      const s = similarity(a, b);
      const contained = s.containment >= containmentMin && Math.min(a.size, b.size) >= minContained;
      if (s.jaccard >= threshold || contained) candidates.push({ i, j, jaccard: s.jaccard, score: (s.jaccard + s.containment) / 2 });
    }
  }
  candidates.sort((x, y) => y.score - x.score || x.i - y.i || x.j - y.j);
  for (const c of candidates) {
    if (!oldFree.has(c.i) || !newFree.has(c.j)) continue;
    pairs.push({ oldIndex: c.i, newIndex: c.j, similarity: c.jaccard, equal: false });
    oldFree.delete(c.i);
    newFree.delete(c.j);
  }

  pairs.sort((a, b) => a.newIndex - b.newIndex);
  return { pairs, added: [...newFree].sort((a, b) => a - b), removed: [...oldFree].sort((a, b) => a - b) };
}
