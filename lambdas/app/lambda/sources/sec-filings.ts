import { sourceHandler } from '../runtime.ts';
import { secFilingsSource } from '#sources/sec-filings/source.ts';
export const handler = sourceHandler(secFilingsSource);
