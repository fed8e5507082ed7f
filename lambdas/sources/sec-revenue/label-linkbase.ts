import { Parser } from 'htmlparser2';

/**
 * The filer's own names for dimension members, from the label linkbase (`*_lab.xml`) of a
 * filing folder. Member QNames are only identifiers: `nflx:UnitedStatesAndCanadaMember`
 * is shown as "United States and Canada", `us-gaap:NonUsMember` as "Rest of world"
 * (Amazon) or "Other Countries" (Microsoft FY2015) — the same member means different
 * things to different filers, and only the linkbase says which. Pure; no I/O, no AWS.
 */

/** Canonical member QName (`nflx:StreamingMember`, `country:US`) → the filer's label. */
export type MemberLabels = ReadonlyMap<string, string>;

/** No labels: callers fall back to names derived from the member QName. */
export const NO_LABELS: MemberLabels = new Map();

const ROLE_RANK: Record<string, number> = {
  // The terse label is what the filing's own tables show ("Latin America").
  'http://www.xbrl.org/2003/role/terseLabel': 0,
  'http://www.xbrl.org/2003/role/verboseLabel': 1,
  // The standard label carries the "[Member]" suffix and, for SEC country members, capitals.
  'http://www.xbrl.org/2003/role/label': 2,
};
const STANDARD_ROLE = 'http://www.xbrl.org/2003/role/label';

interface Resource {
  role: string;
  lang: string;
  text: string;
}

/** The local part of an element or attribute name (`link:loc` → `loc`, `xlink:href` → `href`). */
function local(name: string): string {
  return name.slice(name.indexOf(':') + 1).toLowerCase();
}

function attr(attrs: Record<string, string>, name: string): string | undefined {
  for (const key in attrs) if (local(key) === name) return attrs[key];
  return undefined;
}

/**
 * The canonical QName a locator points at. Element ids follow `prefix_LocalName`
 * (`us-gaap_EMEAMember`, `country_SG`, `nflx_StreamingMember`), whatever schema holds them.
 */
export function qnameOfHref(href: string): string | undefined {
  const fragment = href.slice(href.indexOf('#') + 1);
  if (!fragment || fragment === href) return undefined;
  const cut = fragment.indexOf('_');
  if (cut <= 0 || cut === fragment.length - 1) return undefined;
  return `${fragment.slice(0, cut)}:${fragment.slice(cut + 1)}`;
}

/** Members and country elements: the only labels the revenue analysis shows. */
function isMemberName(qname: string): boolean {
  return qname.endsWith('Member') || qname.startsWith('country:');
}

function langRank(lang: string): number {
  const l = lang.toLowerCase();
  return l === 'en-us' ? 0 : l.startsWith('en') ? 1 : 2;
}

/**
 * Read a label linkbase (XBRL 2.1 `labelLink`: locators, label resources, label arcs) into
 * the best label of each member: terse, else verbose, else the standard label without its
 * "[Member]" suffix; English first. The SEC country taxonomy's standard labels are capitals
 * ("UNITED STATES"): only a filer's terse or verbose label replaces the country's name.
 * Prefixed (`link:loc`, Workiva) and default-namespace (`loc`, RR Donnelley) linkbases both read.
 */
export function parseLabelLinkbase(input: string | Uint8Array): Map<string, string> {
  const best = new Map<string, { rank: number; text: string }>();
  // xlink labels are unique within one extended link: resolve each link when it closes.
  let locs = new Map<string, string[]>();
  let resources = new Map<string, Resource[]>();
  let arcs: Array<[string, string]> = [];
  let current: (Resource & { key: string }) | undefined;

  const flush = () => {
    for (const [from, to] of arcs) {
      for (const qname of locs.get(from) ?? []) {
        for (const r of resources.get(to) ?? []) {
          const roleRank = ROLE_RANK[r.role];
          if (roleRank === undefined) continue;
          const text = r.text
            .replace(/\s+/g, ' ')
            .replace(/\s*\[(member|domain|axis)\]\s*$/i, '')
            .trim();
          if (!text) continue;
          if (qname.startsWith('country:') && r.role === STANDARD_ROLE) continue;
          const rank = roleRank * 10 + langRank(r.lang);
          const known = best.get(qname);
          if (!known || rank < known.rank) best.set(qname, { rank, text });
        }
      }
    }
    locs = new Map();
    resources = new Map();
    arcs = [];
  };

  const parser = new Parser(
    {
      onopentag(name, attrs) {
        switch (local(name)) {
          case 'loc': {
            const key = attr(attrs, 'label');
            const qname = qnameOfHref(attr(attrs, 'href') ?? '');
            if (key && qname && isMemberName(qname)) locs.set(key, [...(locs.get(key) ?? []), qname]);
            break;
          }
          case 'label': {
            const key = attr(attrs, 'label');
            if (key) current = { key, role: attr(attrs, 'role') ?? STANDARD_ROLE, lang: attr(attrs, 'lang') ?? '', text: '' };
            break;
          }
          case 'labelarc': {
            const from = attr(attrs, 'from');
            const to = attr(attrs, 'to');
            if (from && to) arcs.push([from, to]);
            break;
          }
        }
      },
      ontext(text) {
        if (current) current.text += text;
      },
      onclosetag(name) {
        const l = local(name);
        if (l === 'label' && current) {
          resources.set(current.key, [...(resources.get(current.key) ?? []), current]);
          current = undefined;
        } else if (l === 'labellink') {
          flush();
        }
      },
    },
    { xmlMode: true, decodeEntities: true, recognizeSelfClosing: true },
  );
  parser.write(typeof input === 'string' ? input : new TextDecoder('utf-8').decode(input));
  parser.end();
  flush(); // a linkbase cut short still yields what it held
  return new Map([...best].map(([qname, { text }]) => [qname, text]));
}

/**
 * The label linkbase among a filing folder's files (EDGAR `index.json`:
 * `{directory: {item: [{name}]}}`): the `*_lab.xml` sharing the primary document's stem
 * when there are several, else the only one. Undefined when the folder has none (pre-2009
 * filings, 8-Ks without financial statements).
 */
export function labelLinkbaseName(index: unknown, primaryDocument?: string): string | undefined {
  const items = (index as { directory?: { item?: unknown } } | undefined)?.directory?.item;
  if (!Array.isArray(items)) return undefined;
  const names = items
    .map((i) => (i && typeof i === 'object' ? (i as { name?: unknown }).name : undefined))
    .filter((n): n is string => typeof n === 'string' && /_lab\.xml$/i.test(n));
  if (names.length <= 1) return names[0];
  const stem = (primaryDocument ?? '').replace(/(_htm)?\.(htm|html|xml)$/i, '').toLowerCase();
  return names.find((n) => n.toLowerCase() === `${stem}_lab.xml`) ?? names[0];
}
