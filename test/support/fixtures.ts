import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The repository root. */
export const REPO_ROOT = resolve(here, '../..');

/** `../shared/fixtures` beside the checkout (CI always has it). */
export const SHARED_FIXTURES = resolve(REPO_ROOT, '../shared/fixtures');

/** The project's own fixtures (small derived excerpts, own prose). */
export const OWN_FIXTURES = join(REPO_ROOT, 'test/fixtures');

/** True when the shared real-data fixtures are present. */
export const hasSharedFixtures = existsSync(SHARED_FIXTURES);

/** Message for tests skipped because the shared fixtures are absent (never in CI). */
export const SHARED_FIXTURES_MISSING = `real-data fixtures not found at ${SHARED_FIXTURES}: clone beside ../shared to run these tests`;

/** Path of a shared fixture file, e.g. `shared('sec/nvidia/submissions-CIK0001045810.json')`. */
export function shared(relative: string): string {
  return join(SHARED_FIXTURES, relative);
}
