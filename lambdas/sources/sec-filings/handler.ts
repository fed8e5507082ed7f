import { sourceHandler } from '../../runtime/lambda.ts';
import { secFilingsSource } from './source.ts';
export const handler = sourceHandler(secFilingsSource);
