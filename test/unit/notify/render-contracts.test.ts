import { describe, expect, it } from 'vitest';
import type { Change } from '#core/change.ts';
import { ContractError } from '#core/contract.ts';
import { renderEmail } from '#notify/render.ts';
import {
  sampleAll,
  sampleEntities,
  sampleFederalRegister,
  sampleFilings,
  sampleLanguage,
  sampleMentions,
  sampleRevenue,
} from '../../support/samples.ts';

/**
 * The email renderers read each change's data through its family's contract
 * (sources/<name>/contract.ts, via render/kit.ts `dataOf`): a field that fails its contract
 * is left out of the card, the rest still shows, and the failure reaches the
 * `onContractError` hook (the notifier logs it) as a ContractError naming the field path.
 */

const INTEREST = ['SG', 'CN', 'HK', 'TW', 'MY', 'AE'];

/** Render `changes` and collect what the hook was told. */
function render(changes: Change[]): { html: string; text: string; subject: string; errors: ContractError[] } {
  const errors: ContractError[] = [];
  const email = renderEmail(changes, { email: 'a@example.com' }, { countriesOfInterest: INTEREST, onContractError: (e) => errors.push(e) });
  return { ...email, errors };
}

/** `change` with its data replaced (same id: the id does not depend on the data here). */
const withData = (change: Change, data: Record<string, unknown>): Change => ({ ...change, data });

const first = <T>(list: T[]): T => {
  const item = list[0];
  if (item === undefined) throw new Error('empty sample');
  return item;
};

describe('renderers read change data through the contracts', () => {
  it('the samples of every family match their contracts: the hook is never told', () => {
    for (const changes of [
      sampleFilings(),
      sampleRevenue(),
      sampleLanguage(),
      sampleFederalRegister(),
      sampleEntities(23),
      sampleMentions(),
    ]) {
      expect(render(changes).errors).toEqual([]);
    }
    expect(render(sampleAll()).errors).toEqual([]);
  });

  it('a wrong-typed field is left out (the email is the one without it) and reported once, naming the field', () => {
    const filing = first(sampleFilings());
    const data = filing.data as Record<string, unknown>;
    const { form: _form, ...withoutForm } = data;
    const wrong = render([withData(filing, { ...data, form: 42 })]);
    const missing = render([withData(filing, withoutForm)]);
    expect(wrong.html).toBe(missing.html);
    expect(wrong.text).toBe(missing.text);
    // The rest of the card still shows.
    expect(wrong.html).toContain(String(data.accession));
    expect(wrong.html).toContain(String(data.companyName));
    // Read by the subject, the summary, the HTML and the text part: reported once.
    expect(wrong.errors).toHaveLength(1);
    const [error] = wrong.errors;
    expect(error).toBeInstanceOf(ContractError);
    expect(error?.changeId).toBe(filing.id);
    expect(error?.kind).toBe('filing.new');
    expect(error?.paths).toEqual(['form']);
    // A missing required field is a contract error too.
    expect(missing.errors.map((e) => e.paths)).toEqual([['form']]);
  });

  it('a wrong-typed value inside a list or object drops that value only, and the error names its full path', () => {
    const revenue = first(sampleRevenue());
    const data = revenue.data as { regions: { before: Array<Record<string, unknown>>; after: Array<Record<string, unknown>> } };
    const after = data.regions.after.map((r, i) => (i === 1 ? { ...r, value: 'ten billion' } : r));
    const withoutValue = data.regions.after.map((r, i) => {
      if (i !== 1) return r;
      const { value: _value, ...rest } = r;
      return rest;
    });
    const wrong = render([withData(revenue, { ...data, regions: { ...data.regions, after } })]);
    const missing = render([withData(revenue, { ...data, regions: { ...data.regions, after: withoutValue } })]);
    expect(wrong.html).toBe(missing.html);
    expect(wrong.text).toBe(missing.text);
    // The other regions keep their values.
    expect(wrong.html).toContain('$23.5B');
    expect(wrong.errors.map((e) => e.paths)).toEqual([['regions.after.1.value']]);
  });

  it('a list keeps its entries that match: a bad passage does not hide the good one', () => {
    const language = first(sampleLanguage());
    const data = language.data as Record<string, unknown>;
    const { html, text, errors } = render([withData(language, { ...data, added: [42, 'A new export-control passage.'] })]);
    expect(html).toContain('A new export-control passage.');
    expect(text).toContain('[+A new export-control passage.+]');
    expect(errors.map((e) => e.paths)).toEqual([['added.0']]);
  });

  it('a kind its family does not declare still renders, read as the family main kind, and the error names the kind', () => {
    const doc = first(sampleFederalRegister().filter((c) => c.kind === 'fr.document'));
    const odd = { ...doc, kind: 'fr.reprint' };
    const { html, errors } = render([odd]);
    expect(html).toContain(String((doc.data as Record<string, unknown>).documentNumber));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.kind).toBe('fr.reprint');
    expect(errors[0]?.paths).toEqual(['(kind)']);
    expect(errors[0]?.message).toMatch(/not a kind of federal-register .*read as fr\.document/);
  });

  it('without a hook a failing change renders just the same', () => {
    const filing = first(sampleFilings());
    const bad = withData(filing, { ...(filing.data as Record<string, unknown>), items: 'none' });
    const hooked = render([bad]);
    const plain = renderEmail([bad], { email: 'a@example.com' }, { countriesOfInterest: INTEREST });
    expect(plain.html).toBe(hooked.html);
    expect(hooked.errors.map((e) => e.paths)).toEqual([['items']]);
  });
});
