import { describe, expect, it } from 'vitest';
import { countryName, filedLabel, memberCountries, memberLabel } from '../../lambdas/sources/sec-revenue/labels.ts';

describe('memberLabel', () => {
  it.each([
    ['country:SG', 'Singapore'],
    ['country:TW', 'Taiwan'],
    ['country:US', 'United States'],
    ['country:HK', 'Hong Kong'],
    ['us-gaap:EMEAMember', 'EMEA'],
    ['srt:AsiaPacificMember', 'Asia Pacific'],
    ['srt:LatinAmericaMember', 'Latin America'],
    ['us-gaap:NonUsMember', 'Non-US'],
    ['nvda:ChinaIncludingHongKongMember', 'China (including Hong Kong)'],
    ['nvda:AllOtherCountriesNotSeparatelyDisclosedMember', 'All other countries not separately disclosed'],
    ['nvda:OtherCountriesMember', 'Other countries'],
    ['nflx:UnitedStatesAndCanadaMember', 'United States and Canada'],
    ['aapl:GreaterChinaSegmentMember', 'Greater China segment'],
    ['acme:RestOfWorldMember', 'Rest of world'],
    // Names filers really write, which a plain CamelCase split gets wrong.
    ['acme:MexicoandCentralAmericaMember', 'Mexico and Central America'],
    ['meta:USCanadaMember', 'US and Canada'],
    ['acme:EuropeMiddleEastAfricaMember', 'Europe, Middle East and Africa'],
    ['acme:RestofWorldMember', 'Rest of world'],
    ['acme:NonUSMember', 'Non-US'],
    ['acme:EMEAAndAPACMember', 'EMEA and APAC'],
    ['acme:AsiaPacificExcludingJapanMember', 'Asia Pacific (excluding Japan)'],
    // Country names ending in "and" are not split.
    ['acme:ThailandMember', 'Thailand'],
    ['acme:SwitzerlandMember', 'Switzerland'],
  ])('%s → %s', (member, label) => {
    expect(memberLabel(member)).toBe(label);
  });

  it('prefers the filer’s label (label linkbase) and falls back to the name without it', () => {
    const labels = new Map([
      ['nflx:UnitedStatesAndCanadaMember', 'United States and Canada'],
      ['us-gaap:EMEAMember', 'Europe, Middle East, and Africa'],
      ['tsla:OtherCountriesMember', 'Other international'],
    ]);
    expect(memberLabel('us-gaap:EMEAMember', labels)).toBe('Europe, Middle East, and Africa');
    expect(memberLabel('tsla:OtherCountriesMember', labels)).toBe('Other international');
    expect(memberLabel('country:SG', labels)).toBe('Singapore');
    expect(memberLabel('us-gaap:EMEAMember')).toBe('EMEA');
  });

  it('finds an extension member declared under another prefix by its local name, never a standard one', () => {
    const labels = new Map([
      ['nflx:StreamingMember', 'Streaming'],
      ['us-gaap:OtherMember', 'Other (standard)'],
      ['a:DupMember', 'A'],
      ['b:DupMember', 'B'],
    ]);
    expect(filedLabel('netflix:StreamingMember', labels)).toBe('Streaming');
    expect(filedLabel('acme:OtherMember', labels)).toBeUndefined();
    expect(filedLabel('c:DupMember', labels)).toBeUndefined();
    expect(filedLabel('srt:StreamingMember', labels)).toBeUndefined();
  });
});

describe('memberCountries', () => {
  it.each([
    ['country:SG', ['SG']],
    ['nvda:ChinaIncludingHongKongMember', ['CN', 'HK']],
    ['nflx:UnitedStatesAndCanadaMember', ['US', 'CA']],
    ['acme:GreaterChinaMember', ['CN', 'HK', 'MO', 'TW']],
    ['nvda:AllOtherCountriesNotSeparatelyDisclosedMember', []],
    ['acme:AsiaExcludingChinaMember', []],
    ['acme:NonUsMember', []],
    ['srt:AsiaPacificMember', []],
    ['meta:USCanadaMember', ['US', 'CA']],
    ['acme:MexicoandCentralAmericaMember', ['MX']],
  ])('%s → %j', (member, codes) => {
    expect(memberCountries(member)).toEqual(codes);
  });

  it('reads the filer’s label when the member name names no place', () => {
    expect(memberCountries('acme:Region1Member', 'Singapore and Malaysia')).toEqual(['SG', 'MY']);
    expect(memberCountries('acme:Region2Member', 'Rest of Asia Pacific')).toEqual([]);
    expect(memberCountries('nvda:ChinaIncludingHongKongMember', 'Something else')).toEqual(['CN', 'HK']);
  });

  it('names ISO codes in English', () => {
    expect(countryName('SG')).toBe('Singapore');
    expect(countryName('MY')).toBe('Malaysia');
  });
});
