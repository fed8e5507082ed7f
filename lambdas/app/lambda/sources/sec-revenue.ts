import { sourceHandler } from '../runtime.ts';
import { secRevenueSource } from '#sources/sec-revenue/source.ts';

export const handler = sourceHandler(secRevenueSource);
