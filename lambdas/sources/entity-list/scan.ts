import { SourceError } from '#core/errors.ts';

/**
 * A single-pass scanner over the CSL body that hands each element of `results[]` to a
 * visitor as its own small JSON text. Why not `JSON.parse` of the whole body: the 33 MB
 * file would become a ~66 MB string plus an object tree several times larger, all held
 * at once; here only the body buffer and one record at a time are alive, and the bytes
 * are walked once (strings are skipped with a native `indexOf`).
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJ = 0x7b;
const CLOSE_OBJ = 0x7d;
const OPEN_ARR = 0x5b;
const CLOSE_ARR = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

function truncated(at: number, what: string): SourceError {
  return new SourceError('parse', `CSL body is truncated or malformed at byte ${at}: ${what}`);
}

function isWs(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipWs(buf: Buffer, i: number): number {
  while (i < buf.length && isWs(buf[i])) i++;
  return i;
}

/** Index just past the string starting at `i` (a quote). UTF-8 continuation bytes never equal `"` or `\`. */
function skipString(buf: Buffer, i: number): number {
  let j = i + 1;
  for (;;) {
    const q = buf.indexOf(QUOTE, j);
    if (q < 0) throw truncated(i, 'unterminated string');
    let backslashes = 0;
    for (let k = q - 1; k > i && buf[k] === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    j = q + 1;
  }
}

/** Index just past the JSON value starting at `i`; nesting is balanced, contents are validated later by `JSON.parse`. */
function skipValue(buf: Buffer, i: number): number {
  const c = buf[i];
  if (c === QUOTE) return skipString(buf, i);
  if (c === OPEN_OBJ || c === OPEN_ARR) {
    let depth = 0;
    let j = i;
    while (j < buf.length) {
      const b = buf[j];
      if (b === QUOTE) {
        j = skipString(buf, j);
        continue;
      }
      if (b === OPEN_OBJ || b === OPEN_ARR) depth++;
      else if (b === CLOSE_OBJ || b === CLOSE_ARR) {
        depth--;
        if (depth === 0) return j + 1;
      }
      j++;
    }
    throw truncated(i, 'unbalanced object or array');
  }
  // A scalar: runs to the next delimiter.
  let j = i;
  while (j < buf.length) {
    const b = buf[j];
    if (b === COMMA || b === CLOSE_OBJ || b === CLOSE_ARR || isWs(b)) break;
    j++;
  }
  if (j === i) throw truncated(i, 'value expected');
  return j;
}

/** Walk the array at `i`, visiting each element's text; returns the index past `]`. */
function scanArray(buf: Buffer, i: number, visit: (json: string, index: number) => void): number {
  let j = skipWs(buf, i + 1);
  if (buf[j] === CLOSE_ARR) return j + 1;
  for (let index = 0; ; index++) {
    j = skipWs(buf, j);
    if (j >= buf.length) throw truncated(j, 'results array not closed');
    const end = skipValue(buf, j);
    visit(buf.toString('utf8', j, end), index);
    j = skipWs(buf, end);
    const b = buf[j];
    if (b === COMMA) {
      j++;
      continue;
    }
    if (b === CLOSE_ARR) return j + 1;
    throw truncated(j, "',' or ']' expected in results");
  }
}

/**
 * Visit every element of the top-level `results` array (or of a bare top-level array),
 * in order. Throws `SourceError('parse')` when the body is truncated, has no `results`
 * array, or has trailing bytes; the visitor validates each element itself.
 * @returns the number of elements visited.
 */
export function forEachResult(buf: Buffer, visit: (json: string, index: number) => void): number {
  let count = 0;
  const counting = (json: string, index: number) => {
    count++;
    visit(json, index);
  };
  let i = 0;
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3; // UTF-8 BOM
  i = skipWs(buf, i);
  if (i >= buf.length) throw new SourceError('parse', 'CSL body is empty');
  let found = false;
  if (buf[i] === OPEN_ARR) {
    i = scanArray(buf, i, counting);
    found = true;
  } else if (buf[i] === OPEN_OBJ) {
    i = skipWs(buf, i + 1);
    if (buf[i] === CLOSE_OBJ) i++;
    else {
      for (;;) {
        i = skipWs(buf, i);
        if (buf[i] !== QUOTE) throw truncated(i, 'object key expected');
        const keyEnd = skipString(buf, i);
        let key: string;
        try {
          key = JSON.parse(buf.toString('utf8', i, keyEnd)) as string;
        } catch (err) {
          throw new SourceError('parse', `CSL body: invalid object key at byte ${i}: ${(err as Error).message}`, { cause: err });
        }
        i = skipWs(buf, keyEnd);
        if (buf[i] !== COLON) throw truncated(i, "':' expected");
        i = skipWs(buf, i + 1);
        if (i >= buf.length) throw truncated(i, 'value expected');
        if (key === 'results') {
          if (buf[i] !== OPEN_ARR) throw new SourceError('parse', 'CSL body: `results` is not an array');
          i = scanArray(buf, i, counting);
          found = true;
        } else {
          i = skipValue(buf, i);
        }
        i = skipWs(buf, i);
        if (buf[i] === COMMA) {
          i++;
          continue;
        }
        if (buf[i] === CLOSE_OBJ) {
          i++;
          break;
        }
        throw truncated(i, "',' or '}' expected");
      }
    }
  } else {
    throw new SourceError('parse', 'CSL body is not a JSON object or array');
  }
  if (skipWs(buf, i) !== buf.length) throw truncated(i, 'unexpected bytes after the JSON document');
  if (!found) throw new SourceError('parse', 'CSL body has no `results` array');
  return count;
}
