import { sourceHandler } from '../runtime.ts';
import { federalRegisterSource } from '#sources/federal-register/source.ts';
export const handler = sourceHandler(federalRegisterSource);
