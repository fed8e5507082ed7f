import { sourceHandler } from '../../runtime/lambda.ts';
import { secFullTextSource } from './source.ts';
export const handler = sourceHandler(secFullTextSource);
