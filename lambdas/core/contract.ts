import * as z from 'zod';
import type { Change, SourceName } from './change.ts';

/**
 * The typed contract of a change family's `data` block, and the one reader every consumer
 * goes through. `Change.data` is stored as free JSON (change log, local files); each source
 * declares, per change kind it emits, a zod schema of what its producers write today and
 * what older stored records may hold (`lambdas/sources/<name>/contract.ts`). Readers then
 * get typed data or a {@link ContractError} naming the change, its kind and the failing
 * field, instead of re-guessing every payload. Pure: no I/O, no AWS.
 */

/** What `capDraftData` (core/limits.ts) stores when a change's data could not be cut to fit: no field survives. */
export const TRUNCATED_KEY = '_truncated';

/** The schemas of one family: a zod object schema per change kind. */
export type KindSchemas = Readonly<Record<string, z.ZodObject<z.core.$ZodLooseShape, z.core.$ZodObjectConfig>>>;

/** One kind of a family with its data, as {@link parseChangeData} returns it. */
export type ContractChange<K extends KindSchemas> = { [k in keyof K & string]: { kind: k; data: z.infer<K[k]> } }[keyof K & string];

/** One kind of a family with the fields of its data that passed (see {@link readChangeData}). */
export type PartialContractChange<K extends KindSchemas> = {
  [k in keyof K & string]: { kind: k; data: Partial<z.infer<K[k]>> };
}[keyof K & string];

/** A family's contract: its source, the schema of each kind and the discriminated union on `kind` of them all. */
export interface ChangeContract<K extends KindSchemas = KindSchemas> {
  readonly source: SourceName;
  readonly kinds: K;
  /** `{ kind, data }` as one discriminated union on `kind`: what {@link parseChangeData} checks. */
  readonly schema: z.ZodType<ContractChange<K>>;
}

/** What the readers use of a contract: its source and per-kind schemas. */
export type ContractKinds<K extends KindSchemas> = Pick<ChangeContract<K>, 'source' | 'kinds'>;

/** Any family's contract, whatever its kinds (a list of all six, a lookup by source). */
export interface AnyChangeContract {
  readonly source: SourceName;
  readonly kinds: KindSchemas;
  readonly schema: z.ZodType;
}

/** Declare a family's contract from its per-kind data schemas. */
export function defineContract<const K extends KindSchemas>(source: SourceName, kinds: K): ChangeContract<K> {
  const options = Object.entries(kinds).map(([kind, data]) => z.looseObject({ kind: z.literal(kind), data }));
  const [first, ...rest] = options;
  if (!first) throw new Error(`contract of ${source} declares no kind`);
  const schema = z.discriminatedUnion('kind', [first, ...rest]) as unknown as z.ZodType<ContractChange<K>>;
  return { source, kinds, schema };
}

/** One field a change's data failed its contract on. */
export interface ContractIssue {
  /** Dotted path inside `data` (`regions.after.0.value`), or `(data)` for the block itself. */
  path: string;
  message: string;
}

/** A change whose data does not match its family's contract (or of a kind the family does not declare). */
export class ContractError extends Error {
  override readonly name = 'ContractError';
  constructor(
    readonly changeId: string,
    readonly kind: string,
    readonly issues: readonly ContractIssue[],
  ) {
    super(
      `change ${changeId} (${kind}): data does not match its contract: ${issues
        .slice(0, 5)
        .map((i) => `${i.path}: ${i.message}`)
        .join('; ')}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}`,
    );
  }
  /** The failing field paths, for tests and logs. */
  get paths(): string[] {
    return this.issues.map((i) => i.path);
  }
}

type Readable = Pick<Change, 'id' | 'kind' | 'data'>;

const pathText = (path: readonly PropertyKey[]): string => (path.length ? path.map(String).join('.') : '(data)');

function issuesOf(error: z.ZodError, prefix: readonly PropertyKey[] = []): ContractIssue[] {
  return error.issues.map((i) => ({ path: pathText([...prefix, ...i.path]), message: i.message }));
}

function truncatedIssue(data: unknown): ContractIssue[] {
  const marker = typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[TRUNCATED_KEY] : undefined;
  return typeof marker === 'string' ? [{ path: TRUNCATED_KEY, message: `the data was cut to fit the store (${marker})` }] : [];
}

function kindSchema<K extends KindSchemas>(change: Readable, contract: ContractKinds<K>): z.ZodObject {
  const schema = Object.hasOwn(contract.kinds, change.kind) ? contract.kinds[change.kind] : undefined;
  if (!schema) {
    throw new ContractError(change.id, change.kind, [
      { path: '(kind)', message: `not a kind of ${contract.source} (${Object.keys(contract.kinds).join(', ')})` },
    ]);
  }
  return schema;
}

/**
 * The data of `change` checked against its family's contract, typed by kind. Throws a
 * {@link ContractError} naming the change id, kind and every failing field path when the data
 * does not match, or when the kind is not one the family declares.
 */
export function parseChangeData<K extends KindSchemas>(change: Readable, contract: ContractKinds<K>): ContractChange<K> {
  const schema = kindSchema(change, contract);
  const truncated = truncatedIssue(change.data);
  if (truncated.length) throw new ContractError(change.id, change.kind, truncated);
  const parsed = schema.safeParse(change.data);
  if (!parsed.success) throw new ContractError(change.id, change.kind, issuesOf(parsed.error));
  return { kind: change.kind, data: parsed.data } as ContractChange<K>;
}

/** {@link parseChangeData} without the throw: the typed change, or the error. */
export function checkChangeData<K extends KindSchemas>(
  change: Readable,
  contract: ContractKinds<K>,
): { ok: true; change: ContractChange<K> } | { ok: false; error: ContractError } {
  try {
    return { ok: true, change: parseChangeData(change, contract) };
  } catch (err) {
    if (err instanceof ContractError) return { ok: false, error: err };
    throw err;
  }
}

/** What {@link readChangeData} returns: the fields that passed, and the error naming those that did not. */
export interface PartialRead<K extends KindSchemas> {
  change: PartialContractChange<K>;
  /** Set when any field failed (it is left out of `data`), or when the data was truncated. */
  error: ContractError | undefined;
}

/**
 * A field-by-field read for consumers that show what they can (the email renderer): every
 * declared field of the kind's schema is checked on its own; a field that passes is kept
 * (typed), one that fails is left out and named in `error`. Unknown extra keys are kept as
 * stored (the contracts are loose). Throws only for a kind the family does not declare.
 */
export function readChangeData<K extends KindSchemas>(change: Readable, contract: ContractKinds<K>): PartialRead<K> {
  const schema = kindSchema(change, contract);
  const raw = change.data;
  const issues = truncatedIssue(raw);
  // A truncated block fails every required field for one reason: name that reason once.
  const truncated = issues.length > 0;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    issues.push({ path: '(data)', message: 'expected an object' });
    return {
      change: { kind: change.kind, data: {} } as PartialContractChange<K>,
      error: new ContractError(change.id, change.kind, issues),
    };
  }
  const data: Record<string, unknown> = {};
  const source = raw as Record<string, unknown>;
  for (const [key, value] of Object.entries(source)) if (!Object.hasOwn(schema.shape, key)) data[key] = value;
  for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    const parsed = field.safeParse(source[key]);
    if (parsed.success) {
      if (parsed.data !== undefined || Object.hasOwn(source, key)) data[key] = parsed.data;
    } else if (!truncated) issues.push(...issuesOf(parsed.error, [key]));
  }
  return {
    change: { kind: change.kind, data } as PartialContractChange<K>,
    error: issues.length ? new ContractError(change.id, change.kind, issues) : undefined,
  };
}
