import { sourceHandler } from '../runtime.ts';
import { entityListSource } from '#sources/entity-list/source.ts';
export const handler = sourceHandler(entityListSource);
