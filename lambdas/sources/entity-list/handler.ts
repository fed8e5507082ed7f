import { sourceHandler } from '../../runtime/lambda.ts';
import { entityListSource } from './source.ts';
export const handler = sourceHandler(entityListSource);
