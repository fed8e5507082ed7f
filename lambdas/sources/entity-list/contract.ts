import * as z from 'zod';
import { defineContract } from '#core/contract.ts';

/**
 * The `data` of the screening-list changes (`entity.added`, `entity.removed`,
 * `entity.amended`), as drafts.ts writes it: the entry exactly as published (values not
 * trimmed), plus the field changes of an amendment. Loose objects: a field added later never
 * breaks an older reader. Imported by notify/, so it declares its small types itself.
 */

/** An address as the CSL publishes it: missing parts are null, `""` is kept. */
export const CslAddressData = z.looseObject({
  address: z.string().nullish(),
  city: z.string().nullish(),
  state: z.string().nullish(),
  postal_code: z.string().nullish(),
  /** Changes stored by the first version of the source spelled the postal code `postalCode`. */
  postalCode: z.string().nullish(),
  /** As published: usually an ISO 3166 alpha-2 code, but a raw CSL country can be anything. */
  country: z.string().nullish(),
});
/** One address of an entry. */
export type CslAddressData = z.infer<typeof CslAddressData>;

/** An address as an entry holds it: the CSL's object, or (in older changes) one line of text. */
export const EntityAddress = z.union([CslAddressData, z.string()]);
/** One address of an entry, object or text. */
export type EntityAddress = z.infer<typeof EntityAddress>;

/**
 * The fields an amendment compares (parse.ts `COMPARED_FIELDS`, plus `countries`), kept a
 * string so a field compared later still reads; the renderer labels the known ones.
 */
export const ENTITY_FIELD_NAMES = [
  'altNames',
  'addresses',
  'federalRegisterNotice',
  'startDate',
  'licenseRequirement',
  'licensePolicy',
  'countries',
] as const;

/**
 * One field of an amended entry: `before` and `after` as the entry held them (a string or
 * null for text fields, a list of names or addresses for the list fields).
 */
export const EntityFieldChange = z.looseObject({
  field: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});
/** One changed field of an amendment. */
export type EntityFieldChange = z.infer<typeof EntityFieldChange>;

/** The entry, as every `entity.*` change carries it. */
const entryFields = {
  /** Full CSL `source` string, e.g. "Entity List (EL) - Bureau of Industry and Security". */
  list: z.string(),
  name: z.string(),
  altNames: z.array(z.string()),
  /** Sorted, de-duplicated, upper-cased country codes (from the addresses and a top-level `country`). */
  countries: z.array(z.string()),
  addresses: z.array(EntityAddress),
  federalRegisterNotice: z.string().nullable(),
  startDate: z.string().nullable(),
  licenseRequirement: z.string().nullable(),
  licensePolicy: z.string().nullable(),
  /** Addresses published beyond the parse caps and not kept; present only when some were cut. */
  addressesOmitted: z.number().optional(),
  /** Alternate names published beyond the parse caps and not kept; present only when some were cut. */
  altNamesOmitted: z.number().optional(),
  /** Why the start date is no date (`unparseable`, `impossible`); present only then. */
  startDateIssue: z.string().optional(),
};

/** An entry added to or removed from a list (`entity.added`, `entity.removed`). */
export const EntityListingData = z.looseObject(entryFields);
/** Data of `entity.added` and `entity.removed`. */
export type EntityListingData = z.infer<typeof EntityListingData>;

/** An amended entry (`entity.amended`): the entry after the amendment and what changed. */
export const EntityAmendedData = z.looseObject({ ...entryFields, changes: z.array(EntityFieldChange) });
/** Data of `entity.amended`. */
export type EntityAmendedData = z.infer<typeof EntityAmendedData>;

/** Every `entity.*` kind with its data schema; `schema` is their discriminated union on `kind`. */
export const ENTITY_LIST_CONTRACT = defineContract('entity-list', {
  'entity.added': EntityListingData,
  'entity.removed': EntityListingData,
  'entity.amended': EntityAmendedData,
});
/** Any data of a screening-list change. */
export type EntityData = EntityListingData | EntityAmendedData;
