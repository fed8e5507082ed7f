import type { Change } from '#core/change.ts';
import { entitiesRenderer } from './entities.ts';
import { federalRegisterRenderer } from './federal-register.ts';
import { filingsRenderer } from './filings.ts';
import { genericRenderer } from './generic.ts';
import type { FamilyRenderer } from './kit.ts';
import { languageRenderer } from './language.ts';
import { mentionsRenderer } from './mentions.ts';
import { revenueRenderer } from './revenue.ts';

/**
 * The family renderers in section order (what changes the risk picture most comes
 * first); the generic one last catches anything else.
 */
export const FAMILIES: readonly FamilyRenderer[] = [
  entitiesRenderer,
  federalRegisterRenderer,
  revenueRenderer,
  languageRenderer,
  mentionsRenderer,
  filingsRenderer,
  genericRenderer,
];

/** The family that renders `change`. */
export function familyOf(change: Change): FamilyRenderer {
  return FAMILIES.find((f) => f.matches(change)) ?? genericRenderer;
}
