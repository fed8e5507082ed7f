import type { EntityListSettings } from '#core/config.ts';
import { SourceError } from '#core/errors.ts';
import type { SourceContext, SourceDefinition } from '#core/source.ts';
import { diffEntries, SNAPSHOT_PREFIX } from './diff.ts';
import { toChangeDraft } from './drafts.ts';
import { fetchCsl } from './fetch.ts';
import { DEFAULT_LISTS, listNamesOf } from './lists.ts';
import { type ParsedCsl, parseCsl } from './parse.ts';
import { checkAmendedShare, checkSanity, DEFAULT_SANITY_BOUNDS, type SanityBounds } from './sanity.ts';

/** Where the last good snapshot came from and how big it was. */
export interface EntityListCursor {
  etag?: string | undefined;
  lastModified?: string | undefined;
  /** SHA-256 of the last body diffed: a 200 with the same bytes costs nothing more. */
  bodyHash: string;
  /** Entries kept (selected lists). */
  count: number;
  /** Entries per selected list; its keys are the selection the snapshot was made with. */
  listCounts: Record<string, number>;
}

/** Options of {@link createEntityListSource}; each falls back to `config.entityList`, then to the defaults. */
export interface EntityListOptions {
  /** CSL `source` strings to watch; default the config's `entityList.lists`, else {@link DEFAULT_LISTS} (EL, MEU, UVL). */
  lists?: readonly string[];
  /** Sanity bounds; default the config's `entityList.maxCountChange` / `maxListChange` / `maxAmendedShare`, else {@link DEFAULT_SANITY_BOUNDS} (and `DEFAULT_AMEND_BOUNDS`). */
  bounds?: Partial<SanityBounds>;
}

/**
 * The lists and sanity bounds a poll uses: explicit options first, then the config's
 * `entityList` section (codes mapped to published names), then the defaults.
 */
export function entityListSettings(
  options: EntityListOptions,
  cfg: EntityListSettings | undefined,
): { lists: readonly string[]; bounds: SanityBounds } {
  const lists = options.lists ?? (cfg?.lists ? listNamesOf(cfg.lists) : DEFAULT_LISTS);
  const bounds: SanityBounds = {
    ...DEFAULT_SANITY_BOUNDS,
    ...(cfg?.maxCountChange !== undefined ? { maxCountChange: cfg.maxCountChange } : {}),
    ...(cfg?.maxListChange !== undefined ? { maxListChange: cfg.maxListChange } : {}),
    ...(cfg?.maxAmendedShare !== undefined ? { maxAmendedShare: cfg.maxAmendedShare } : {}),
    ...options.bounds,
  };
  return { lists, bounds };
}

/**
 * The Entity List source: conditional GET of the Consolidated Screening List, one-pass
 * parse of the selected BIS lists, sanity bounds, keyed diff against the snapshot kept in
 * state items, and `entity.added` / `entity.removed` / `entity.amended` changes.
 */
export function createEntityListSource(options: EntityListOptions = {}): SourceDefinition<EntityListCursor> {
  return {
    name: 'entity-list',
    async poll(ctx: SourceContext<EntityListCursor>) {
      const { lists, bounds } = entityListSettings(options, ctx.config.entityList);
      const cursor = ctx.cursor;
      const download = await fetchCsl(ctx.http, ctx.config.urls.csl, cursor && { etag: cursor.etag, lastModified: cursor.lastModified });
      if (download.notModified) {
        if (!cursor) throw new SourceError('http', 'CSL answered 304 Not Modified to an unconditional request');
        return { changes: [], cursor, itemsSeen: cursor.count };
      }
      const { bodyHash, validators } = download;
      if (cursor && bodyHash === cursor.bodyHash) {
        return {
          changes: [],
          cursor: { ...cursor, etag: validators.etag, lastModified: validators.lastModified },
          itemsSeen: cursor.count,
        };
      }

      // Parse in its own scope so the body buffer is garbage once the entries are built.
      const parsed: ParsedCsl = parseCsl(download.body, { lists });
      (download as { body?: Buffer }).body = undefined;
      ctx.log('CSL parsed', {
        rows: parsed.totalRecords,
        kept: parsed.entries.length,
        listCounts: parsed.listCounts,
        skipped: parsed.skipped,
        otherSources: parsed.otherSources,
        ...(parsed.keyRepeatsDropped ? { keyRepeatsDropped: parsed.keyRepeatsDropped } : {}),
      });
      const count = parsed.entries.length;
      checkSanity({ count, listCounts: parsed.listCounts }, cursor, bounds);

      const previous = await ctx.readItems(SNAPSHOT_PREFIX);
      const diff = diffEntries(previous, parsed.entries);
      // A list newly added to (or dropped from) the selection is baselined quietly, like a first run.
      const quiet = (list: string) => cursor !== undefined && !(list in cursor.listCounts && list in parsed.listCounts);
      if (cursor) {
        // A reformat keeps the count but amends every row: bounded like the count (sanity.ts).
        const amended = diff.events.filter((e) => e.kind === 'amended' && !quiet(e.entry.list)).length;
        const previousEntries = Object.keys(parsed.listCounts).reduce((n, l) => n + (cursor.listCounts[l] ?? 0), 0);
        checkAmendedShare(amended, previousEntries, bounds);
      }
      const now = ctx.clock.now();
      const changes = diff.events.filter((e) => !quiet(e.entry.list)).map((e) => toChangeDraft(e, now));
      const next: EntityListCursor = {
        etag: validators.etag,
        lastModified: validators.lastModified,
        bodyHash,
        count,
        listCounts: parsed.listCounts,
      };
      return { changes, cursor: next, itemsSeen: count, itemWrites: diff.itemWrites };
    },
  };
}

/** The source with the lists and bounds of `config.entityList` (defaults where absent). */
export const entityListSource: SourceDefinition<EntityListCursor> = createEntityListSource();
