import type { SourceErrorKind } from '#core/errors.ts';
import type { Fault, FakeResponse } from './fake-upstream.ts';

/** One kind of upstream misbehaviour, and the error kinds a source may rightly report for it. */
export interface FaultCase {
  name: string;
  fault: Fault;
  /** Acceptable error kinds (what counts as "the right error kind" for this fault). */
  expected: SourceErrorKind[];
}

const bodyOf = (answer: FakeResponse | undefined): string => (answer ? answer.body.toString() : '');

/** Rename every JSON object key (schema drift), keeping values. */
function driftJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(driftJson);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [`${k}_v2`, driftJson(v)]));
  }
  return value;
}

/** Schema drift for whatever the route serves: renamed JSON keys, or renamed XML/HTML elements. */
function drift(answer: FakeResponse | undefined): FakeResponse {
  const text = bodyOf(answer);
  try {
    return { status: 200, headers: answer?.headers ?? {}, body: JSON.stringify(driftJson(JSON.parse(text))) };
  } catch {
    return { status: 200, headers: answer?.headers ?? {}, body: text.replace(/<(\/?)([A-Za-z][\w:.-]*)/g, '<$1x-$2') };
  }
}

/** Half the body, cleanly delivered (a truncated file, not a broken connection). */
function cutInHalf(answer: FakeResponse | undefined): FakeResponse {
  const text = bodyOf(answer);
  return { status: 200, headers: answer?.headers ?? {}, body: text.slice(0, Math.floor(text.length / 2)) };
}

/** The upstream faults every source is tested against (`npm run test:faults`). */
export const FAULT_CASES: FaultCase[] = [
  {
    name: '403 block',
    fault: {
      kind: 'respond',
      make: () => ({
        status: 403,
        body: '<html><body>Your Request Originates from an Undeclared Automated Tool. Request Rate Threshold Exceeded</body></html>',
      }),
    },
    expected: ['blocked', 'http'],
  },
  {
    name: '429 Retry-After',
    fault: { kind: 'respond', make: () => ({ status: 429, headers: { 'retry-after': '1' }, body: 'Too Many Requests' }) },
    expected: ['rate-limited'],
  },
  { name: '500', fault: { kind: 'respond', make: () => ({ status: 500, body: 'Internal Server Error' }) }, expected: ['network'] },
  { name: '503', fault: { kind: 'respond', make: () => ({ status: 503, body: 'Service Unavailable' }) }, expected: ['network'] },
  { name: 'connection reset', fault: { kind: 'reset' }, expected: ['network'] },
  { name: 'slow beyond timeout', fault: { kind: 'delay', ms: 1500 }, expected: ['network'] },
  { name: 'truncated transfer', fault: { kind: 'truncate' }, expected: ['network'] },
  { name: 'truncated body', fault: { kind: 'respond', make: cutInHalf }, expected: ['parse', 'sanity'] },
  {
    name: 'invalid JSON',
    fault: {
      kind: 'respond',
      make: () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"results": [{"name": "x",' }),
    },
    expected: ['parse'],
  },
  {
    name: 'malformed XML/HTML',
    fault: {
      kind: 'respond',
      make: () => ({ status: 200, headers: { 'content-type': 'text/html' }, body: '<html><feed><entry><title>8-K - X</ti' }),
    },
    expected: ['parse'],
  },
  { name: 'empty result', fault: { kind: 'respond', make: () => ({ status: 200, body: '' }) }, expected: ['parse', 'sanity'] },
  {
    name: 'huge body',
    fault: { kind: 'respond', make: () => ({ status: 200, body: Buffer.alloc(3 * 1024 * 1024, 0x20) }) },
    expected: ['sanity'],
  },
  { name: 'schema drift', fault: { kind: 'respond', make: drift }, expected: ['parse', 'sanity'] },
  {
    name: 'encoding surprise',
    // The real body re-encoded as UTF-16 with a BOM: every byte pattern the parser expected is gone.
    fault: {
      kind: 'respond',
      make: (a) => ({
        status: 200,
        headers: a?.headers ?? {},
        body: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(bodyOf(a), 'utf16le')]),
      }),
    },
    expected: ['parse', 'sanity'],
  },
];
