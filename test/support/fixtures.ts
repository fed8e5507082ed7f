import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

/** The repository root. */
export const REPO_ROOT = resolve(here, '../..');

/**
 * `../shared/fixtures` beside the checkout (CI always has it). `EXPORT_WATCH_SHARED_FIXTURES`
 * points elsewhere, e.g. at a missing folder to prove the suite skips cleanly without it.
 */
export const SHARED_FIXTURES = resolve(process.env.EXPORT_WATCH_SHARED_FIXTURES ?? resolve(REPO_ROOT, '../shared/fixtures'));

/** The project's own fixtures (small derived excerpts, own prose). */
export const OWN_FIXTURES = join(REPO_ROOT, 'test/fixtures');

/** True when the shared real-data fixtures are present. */
export const hasSharedFixtures = existsSync(SHARED_FIXTURES);

/** Message for tests skipped because the shared fixtures are absent (never in CI). */
export const SHARED_FIXTURES_MISSING = `SKIPPED: real-data fixtures not found at ${SHARED_FIXTURES}: clone beside ../shared to run these tests`;

/** Path of a shared fixture file, e.g. `shared('sec/nvidia/submissions-CIK0001045810.json')`. */
export function shared(relative: string): string {
  return join(SHARED_FIXTURES, relative);
}

let warned = false;
/** Say once per test file, on stderr, why shared-data suites are skipped. */
function warnMissing(): void {
  if (hasSharedFixtures || warned) return;
  warned = true;
  process.stderr.write(`${SHARED_FIXTURES_MISSING}\n`);
}

/**
 * The one gate for suites that read `../shared/fixtures`: runs `body` as a `describe` when
 * the fixtures are present, else registers the suite as skipped under a name that says why
 * (and warns on stderr). `body` is not even called without the fixtures, so it may read
 * them at collection time.
 */
export function describeWithSharedFixtures(name: string, body: () => void): void {
  if (hasSharedFixtures) {
    describe(`${name} (shared fixtures)`, body);
    return;
  }
  warnMissing();
  describe.skip(`${name} (${SHARED_FIXTURES_MISSING})`, () => {
    it('needs ../shared/fixtures', () => undefined);
  });
}

/** {@link describeWithSharedFixtures} for one test inside a suite that does not need them otherwise. */
export function itWithSharedFixtures(name: string, body: () => unknown | Promise<unknown>, timeout?: number): void {
  if (hasSharedFixtures) {
    it(name, body, timeout);
    return;
  }
  warnMissing();
  it.skip(`${name} (${SHARED_FIXTURES_MISSING})`, () => undefined);
}
