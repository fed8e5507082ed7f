import { sourceHandler } from '../runtime.ts';
import { secExportLanguageSource } from '#sources/sec-export-language/source.ts';
export const handler = sourceHandler(secExportLanguageSource);
