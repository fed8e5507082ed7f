import { sourceHandler } from '../runtime.ts';
import { secFullTextSource } from '#sources/sec-full-text/source.ts';
export const handler = sourceHandler(secFullTextSource);
