import { describe, expect, it } from 'vitest';
import { parseLabelLinkbase } from '#sources/sec-revenue/label-linkbase.ts';
import { fullCountryName as countryName } from '#core/countries.ts';
import { filedLabel, memberCountries, memberLabel } from '#sources/sec-revenue/labels.ts';

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

  it('a filer label always wins, for SEC country members too: Apple’s own words, and nothing invented without them (issue 21 item 10)', () => {
    // The lines of Apple's FY2023 label linkbase (aapl-20230930_lab.xml, Workiva) for its geographic members.
    const loc = (id: string, href: string) => `<link:loc xlink:type="locator" xlink:label="loc_${id}" xlink:href="${href}#${id}"/>`;
    const lab = (id: string, role: string, text: string) =>
      `<link:label xlink:label="lab_${id}" xlink:role="http://www.xbrl.org/2003/role/${role}" xlink:type="resource" xml:lang="en-US">${text}</link:label>`;
    const arc = (id: string) =>
      `<link:labelArc xlink:arcrole="http://www.xbrl.org/2003/arcrole/concept-label" xlink:from="loc_${id}" xlink:to="lab_${id}" xlink:type="arc"/>`;
    const country = 'https://xbrl.sec.gov/country/2023/country-2023.xsd';
    const linkbase =
      '<link:linkbase xmlns:link="http://www.xbrl.org/2003/linkbase" xmlns:xlink="http://www.w3.org/1999/xlink"><link:labelLink xlink:type="extended" xlink:role="http://www.xbrl.org/2003/role/link">' +
      lab('country_CN', 'terseLabel', 'China') +
      lab('country_CN', 'label', 'CHINA') +
      loc('country_CN', country) +
      arc('country_CN') +
      lab('country_US', 'terseLabel', 'U.S.') +
      lab('country_US', 'label', 'UNITED STATES') +
      loc('country_US', country) +
      arc('country_US') +
      lab('aapl_OtherCountriesMember', 'terseLabel', 'Other countries') +
      lab('aapl_OtherCountriesMember', 'label', 'Other Countries [Member]') +
      loc('aapl_OtherCountriesMember', 'aapl-20230930.xsd') +
      arc('aapl_OtherCountriesMember') +
      '</link:labelLink></link:linkbase>';
    const labels = parseLabelLinkbase(linkbase);
    expect(memberLabel('country:US', labels)).toBe('U.S.');
    // Apple's geographic "China" (which its 10-K footnotes as including Hong Kong and Taiwan) is
    // labelled "China" by Apple itself; "Greater China" is the name of its segment member, another axis.
    expect(memberLabel('country:CN', labels)).toBe('China');
    expect(memberLabel('aapl:OtherCountriesMember', labels)).toBe('Other countries');
    // Without the linkbase the name says only what the QName says.
    expect(memberLabel('country:CN')).toBe('China');
    expect(memberLabel('aapl:GreaterChinaSegmentMember', new Map([['aapl:GreaterChinaSegmentMember', 'Greater China']]))).toBe(
      'Greater China',
    );
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
