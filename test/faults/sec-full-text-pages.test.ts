import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '#core/clock.ts';
import type { SourceErrorKind } from '#core/errors.ts';
import { type CycleDeps, runSourceCycle } from '#core/source.ts';
import { createCycleDeps, createUpstreamClient } from '#app/compose.ts';
import { secFullTextSource } from '#sources/sec-full-text/source.ts';
import { FakeUpstream, type FakeResponse } from '../support/fake-upstream.ts';
import { type LocalDynamo, startLocalDynamo, testConfig } from '../support/local-aws.ts';
import { type FakeDocument, PASSAGE_ENTITY_LIST, registerFullText, resellerDocument } from '../support/upstreams/sec-full-text.ts';

/**
 * A failed full-text page advances nothing (issue 17, item 1): whatever goes wrong with the
 * SECOND page of a query (`from=100`), after the first page and other queries succeeded,
 * the cycle is an error state of the right kind, no change and no seen-mention item is
 * written, the cursor stays, and the next clean run reports every mention exactly once.
 */
const PAGE_FAULTS: Array<{ name: string; answer: FakeResponse; expected: SourceErrorKind }> = [
  { name: '500', answer: { status: 500, body: 'Internal Server Error' }, expected: 'network' },
  { name: '403 rate block', answer: { status: 403, body: '<html>Request Rate Threshold Exceeded</html>' }, expected: 'blocked' },
  {
    name: 'truncated JSON',
    answer: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"hits": {"total": {"value": 130' },
    expected: 'parse',
  },
  {
    name: 'not EFTS (HTML error page)',
    answer: { status: 200, headers: { 'content-type': 'text/html' }, body: '<html><body>Search is unavailable</body></html>' },
    expected: 'parse',
  },
  {
    name: 'schema drift (hits renamed)',
    answer: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"results": {"total": 130, "items": []}}' },
    expected: 'parse',
  },
];

describe('sec-full-text: a failed page advances nothing', () => {
  for (const fault of PAGE_FAULTS) {
    describe(fault.name, () => {
      const fake = new FakeUpstream();
      const clock = new ManualClock('2026-11-18T16:00:00Z');
      const docs: FakeDocument[] = [];
      let local: LocalDynamo;
      let deps: CycleDeps;

      beforeAll(async () => {
        await fake.start();
        const config = testConfig(fake.env());
        local = await startLocalDynamo(config.tables);
        const http = createUpstreamClient(config, {
          otherRequestsPerSecond: 1000,
          secRequestsPerSecond: 1000,
          backoffBaseMs: 1,
          maxRetries: 1,
        });
        deps = createCycleDeps(config, { db: local.db, http, clock });
        registerFullText(fake, docs);
      });
      afterAll(async () => {
        await fake.stop();
        await local?.stop();
      });

      it(`${fault.name} on from=100 → ${fault.expected}, nothing written; the next run catches up exactly once`, async () => {
        expect(await runSourceCycle(secFullTextSource, deps)).toMatchObject({ status: 'ok', baseline: true });
        for (let i = 0; i < 130; i++) docs.push(resellerDocument('2026-11-18', 500 + i, [PASSAGE_ENTITY_LIST]));
        registerFullText(fake, docs);
        const before = await deps.state.get('sec-full-text');
        // from=100 fails, every other page is the index's real answer.
        registerFullText(fake, docs, { override: (url) => (url.searchParams.get('from') === '100' ? fault.answer : undefined) });
        clock.advance(10 * 60_000);
        const failed = await runSourceCycle(secFullTextSource, deps);
        expect(failed).toMatchObject({ status: 'failed', errorKind: fault.expected });
        const after = await deps.state.get('sec-full-text');
        expect(after?.cursor).toEqual(before?.cursor);
        expect(after?.lastSuccessAt).toBe(before?.lastSuccessAt);
        expect(await deps.state.getItems('sec-full-text', 'm#')).toHaveLength(0);
        const written: unknown[] = [];
        for await (const c of deps.changes.query({ source: 'sec-full-text' })) written.push(c);
        expect(written).toHaveLength(0);

        registerFullText(fake, docs);
        clock.advance(16 * 60_000); // past a block's cool-down
        let healed = await runSourceCycle(secFullTextSource, deps);
        const pending = async () => ((await deps.state.get('sec-full-text'))?.cursor as { pendingFrom?: string } | undefined)?.pendingFrom;
        // 130 documents take four cycles (40 documents a cycle).
        while (healed.status === 'ok' && (await pending())) {
          clock.advance(10 * 60_000);
          healed = await runSourceCycle(secFullTextSource, deps);
        }
        expect(healed.status).toBe('ok');
        const keys: string[] = [];
        for await (const c of deps.changes.query({ source: 'sec-full-text' })) keys.push(c.naturalKey);
        expect(keys.filter((k) => k.endsWith('|entity-list'))).toHaveLength(130);
        expect(new Set(keys).size).toBe(keys.length);
      });
    });
  }
});
