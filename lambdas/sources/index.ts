import type { SourceName } from '#core/change.ts';
import type { SourceDefinition } from '#core/source.ts';
import { entityListSource } from './entity-list/source.ts';
import { federalRegisterSource } from './federal-register/source.ts';
import { secExportLanguageSource } from './sec-export-language/source.ts';
import { secFilingsSource } from './sec-filings/source.ts';
import { secFullTextSource } from './sec-full-text/source.ts';
import { secRevenueSource } from './sec-revenue/source.ts';

/**
 * The implemented sources. The local runtime runs these, and the stack creates one
 * function for each from `lambdas/app/lambda/sources/<name>.ts`.
 */
export const SOURCES: Partial<Record<SourceName, SourceDefinition<never>>> = {
  'sec-filings': secFilingsSource as SourceDefinition<never>,
  'sec-revenue': secRevenueSource as SourceDefinition<never>,
  'sec-export-language': secExportLanguageSource as SourceDefinition<never>,
  'federal-register': federalRegisterSource as SourceDefinition<never>,
  'entity-list': entityListSource as SourceDefinition<never>,
  'sec-full-text': secFullTextSource as SourceDefinition<never>,
};
