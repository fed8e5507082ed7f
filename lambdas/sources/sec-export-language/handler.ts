import { sourceHandler } from '../../runtime/lambda.ts';
import { secExportLanguageSource } from './source.ts';
export const handler = sourceHandler(secExportLanguageSource);
