import { sourceHandler } from '../../runtime/lambda.ts';
import { federalRegisterSource } from './source.ts';
export const handler = sourceHandler(federalRegisterSource);
