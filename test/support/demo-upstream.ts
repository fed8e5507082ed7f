import type { SourceName } from '#core/change.ts';
import { FakeUpstream } from './fake-upstream.ts';
import { registerEntityListDemo } from './upstreams/entity-list.ts';
import { easternDate, registerFederalRegisterDemo } from './upstreams/federal-register.ts';
import { registerSecDemo } from './upstreams/sec.ts';
import { registerRevenueDemo } from './upstreams/sec-revenue.ts';
import { EXPORT_LANGUAGE_STAND_INS, registerExportLanguageDemo } from './upstreams/sec-export-language.ts';
import { registerFullTextDemo } from './upstreams/sec-full-text.ts';

/** Demo phases: a quiet baseline, then recorded data with something new. */
export type DemoPhase = 'quiet' | 'news';

/** Options every demo route gets. */
export interface DemoOptions {
  /** The instant the demo runs at: dated upstream data is shifted to its Eastern day. Default: now. */
  now?: Date;
}

type RegisterDemo = (fake: FakeUpstream, phase: DemoPhase, options: DemoOptions) => void;

/** Each source's demo data, served under the real URL layouts. */
export const DEMO_ROUTES: Partial<Record<SourceName, RegisterDemo>> = {
  // NVIDIA's two 10-Qs are announced under made-up accession numbers: the documents served
  // for them are stand-ins in our own prose (see EXPORT_LANGUAGE_STAND_INS).
  'sec-filings': (fake, phase) => registerSecDemo(fake, phase, { renumber: EXPORT_LANGUAGE_STAND_INS }),
  // The real 10-Q's path (not announced by the demo feed; kept for `revenue <url>` tries).
  'sec-revenue': (fake) => registerRevenueDemo(fake),
  // The stand-in 10-Q (own prose, with the quarter's real revenue facts) serves both analyses.
  'sec-export-language': (fake, phase) => registerExportLanguageDemo(fake, phase),
  'federal-register': (fake, phase, { now }) => registerFederalRegisterDemo(fake, phase, now ? { today: easternDate(now) } : {}),
  'entity-list': registerEntityListDemo,
  // A made-up reseller on no watch-list: quiet = yesterday's mention (baseline), news = today's.
  'sec-full-text': (fake, phase, { now }) => registerFullTextDemo(fake, phase, now),
};

/** A fake upstream serving every source's demo data for a phase, dated as of `options.now`. */
export async function startDemoUpstream(options: DemoOptions = {}): Promise<{ fake: FakeUpstream; setPhase(phase: DemoPhase): void }> {
  const fake = await new FakeUpstream().start();
  const setPhase = (phase: DemoPhase) => {
    for (const register of Object.values(DEMO_ROUTES)) register(fake, phase, options);
  };
  setPhase('quiet');
  return { fake, setPhase };
}
