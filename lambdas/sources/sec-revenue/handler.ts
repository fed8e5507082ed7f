import { sourceHandler } from '../../runtime/lambda.ts';
import { secRevenueSource } from './source.ts';

export const handler = sourceHandler(secRevenueSource);
