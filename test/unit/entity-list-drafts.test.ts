import { describe, expect, it } from 'vitest';
import { finalizeChange } from '#core/change.ts';
import type { EntityEvent } from '#sources/entity-list/diff.ts';
import { describeFieldChange, toChangeDraft } from '#sources/entity-list/drafts.ts';
import { ENTITY_LIST, MEU_LIST, UNVERIFIED_LIST } from '#sources/entity-list/lists.ts';
import { type EntityRecord, toEntityRecord } from '#sources/entity-list/parse.ts';

const NOW = new Date('2026-10-01T12:00:00Z');

function record(list: string, extra: Record<string, unknown> = {}): EntityRecord {
  return toEntityRecord(
    {
      name: 'HUAWEI TECHNOLOGIES CO., LTD.',
      alt_names: ['Huawei'],
      addresses: [{ address: 'Bantian, Longgang District', city: 'Shenzhen', state: '', postal_code: '', country: 'CN' }],
      federal_register_notice: '84 FR 22961',
      start_date: '2019-05-16',
      license_requirement: 'For all items subject to the EAR. (See Â§744.11 of the EAR).',
      license_policy: 'Presumption of denial.',
      source_list_url: 'https://www.bis.gov/regulations/ear/744#supplement-4-744',
      source_information_url: 'https://www.bis.gov/info',
      ...extra,
    },
    list,
  ) as EntityRecord;
}

describe('toChangeDraft', () => {
  it('describes an Entity List addition as high importance, dated by its start date', () => {
    const e = record(ENTITY_LIST);
    const d = toChangeDraft({ kind: 'added', entry: e }, NOW);
    expect(d).toMatchObject({
      source: 'entity-list',
      kind: 'entity.added',
      naturalKey: 'EL|huawei technologies co ltd|CN',
      subject: 'Entity List',
      title: 'Entity List: added HUAWEI TECHNOLOGIES CO., LTD. (CN)',
      importance: 'high',
      countries: ['CN'],
      occurredAt: '2019-05-16',
      url: 'https://www.bis.gov/regulations/ear/744#supplement-4-744',
      version: `added:${e.hash.slice(0, 16)}`,
    });
    expect(d.summary).toContain('84 FR 22961');
    expect(d.summary).toContain('2019-05-16');
    expect(d.summary).toContain('§744.11'); // display repaired, data kept
    expect(d.data).toEqual({
      list: ENTITY_LIST,
      name: 'HUAWEI TECHNOLOGIES CO., LTD.',
      altNames: ['Huawei'],
      countries: ['CN'],
      addresses: e.addresses,
      federalRegisterNotice: '84 FR 22961',
      startDate: '2019-05-16',
      licenseRequirement: 'For all items subject to the EAR. (See Â§744.11 of the EAR).',
      licensePolicy: 'Presumption of denial.',
    });
  });

  it('uses short list names as subject and normal importance outside Entity List additions', () => {
    expect(toChangeDraft({ kind: 'added', entry: record(MEU_LIST) }, NOW)).toMatchObject({
      subject: 'MEU List',
      importance: 'normal',
      title: 'MEU List: added HUAWEI TECHNOLOGIES CO., LTD. (CN)',
    });
    expect(toChangeDraft({ kind: 'added', entry: record(UNVERIFIED_LIST) }, NOW).subject).toBe('Unverified List');
    const removed = toChangeDraft({ kind: 'removed', entry: record(ENTITY_LIST) }, NOW);
    expect(removed).toMatchObject({
      kind: 'entity.removed',
      importance: 'normal',
      title: 'Entity List: removed HUAWEI TECHNOLOGIES CO., LTD. (CN)',
    });
    expect(removed.occurredAt).toBeUndefined(); // the start date is not when it was removed
    expect(removed.summary).toMatch(/no longer appears on the Entity List/);
  });

  it('keeps an impossible start date as published, flags it, and does not use it as occurredAt', () => {
    const d = toChangeDraft({ kind: 'added', entry: record(UNVERIFIED_LIST, { start_date: '3033-01-17' }) }, NOW);
    expect(d.occurredAt).toBeUndefined();
    expect(d.data.startDate).toBe('3033-01-17');
    expect(d.data.startDateIssue).toBe('impossible');
    expect(d.summary).toContain('3033-01-17 (as published; not a valid date)');
  });

  it('gives amendments a field-level before/after and a version from both hashes', () => {
    const before = record(ENTITY_LIST);
    const after = record(ENTITY_LIST, {
      license_policy: 'Case-by-case review.',
      addresses: [...before.addresses, { address: '1 Harbour Rd', city: 'Dongguan', country: 'CN' }],
    });
    const changes = [
      { field: 'addresses' as const, before: before.addresses, after: after.addresses },
      { field: 'licensePolicy' as const, before: 'Presumption of denial.', after: 'Case-by-case review.' },
    ];
    const d = toChangeDraft({ kind: 'amended', before, entry: after, changes }, NOW);
    expect(d.kind).toBe('entity.amended');
    expect(d.version).toBe(`amended:${before.hash.slice(0, 16)}>${after.hash.slice(0, 16)}`);
    expect(d.data.changes).toEqual(changes);
    expect(d.summary).toContain('addresses: added “1 Harbour Rd, Dongguan, CN”');
    expect(d.summary).toContain('license policy: “Presumption of denial.” → “Case-by-case review.”');
    expect(d.occurredAt).toBeUndefined(); // start date unchanged
  });

  it('gives an addition and a later removal of the same entry different change ids', () => {
    const e = record(ENTITY_LIST);
    const events: EntityEvent[] = [
      { kind: 'added', entry: e },
      { kind: 'removed', entry: e },
    ];
    const ids = events.map((ev) => finalizeChange(toChangeDraft(ev, NOW), NOW).id);
    expect(new Set(ids).size).toBe(2);
  });

  it('puts only ISO-2 codes into countries', () => {
    const d = toChangeDraft(
      { kind: 'added', entry: record(ENTITY_LIST, { addresses: [{ country: 'CN' }, { country: 'Crimea Region of Ukraine' }] }) },
      NOW,
    );
    expect(d.countries).toEqual(['CN']);
  });

  it('describes array changes by members added and removed', () => {
    expect(describeFieldChange({ field: 'altNames', before: ['A', 'B'], after: ['b', 'C'] })).toBe(
      'alternate names: added “C”; removed “A”',
    );
    expect(describeFieldChange({ field: 'startDate', before: null, after: '2026-09-29' })).toBe('start date: “(none)” → “2026-09-29”');
  });
});
