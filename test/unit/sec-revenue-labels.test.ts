import { describe, expect, it } from 'vitest';
import { countryName, memberCountries, memberLabel } from '../../lambdas/sources/sec-revenue/labels.ts';

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
  ])('%s → %s', (member, label) => {
    expect(memberLabel(member)).toBe(label);
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
  ])('%s → %j', (member, codes) => {
    expect(memberCountries(member)).toEqual(codes);
  });

  it('names ISO codes in English', () => {
    expect(countryName('SG')).toBe('Singapore');
    expect(countryName('MY')).toBe('Malaysia');
  });
});
