import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labelLinkbaseName, parseLabelLinkbase, qnameOfHref } from '#sources/sec-revenue/label-linkbase.ts';
import { itWithSharedFixtures, OWN_FIXTURES, shared } from '../support/fixtures.ts';

describe('parseLabelLinkbase', () => {
  it('Netflix (Workiva, link: prefix): terse labels first, "[Member]" never shown, only members kept', () => {
    const labels = parseLabelLinkbase(readFileSync(join(OWN_FIXTURES, 'sec-revenue/nflx-20240930_lab.xml')));
    expect(Object.fromEntries(labels)).toEqual({
      'nflx:StreamingMember': 'Streaming',
      'nflx:UnitedStatesAndCanadaMember': 'United States and Canada',
      'us-gaap:EMEAMember': 'Europe, Middle East, and Africa',
      'srt:LatinAmericaMember': 'Latin America',
      'srt:AsiaPacificMember': 'Asia-Pacific',
      'country:US': 'United States',
    });
  });

  it('a default-namespace linkbase (RR Donnelley, Microsoft FY2015); the standard label without its suffix when no terse one', () => {
    // Structure of msft-20150731_lab.xml: unprefixed elements, `_lbl` resource labels, fasb.org locators.
    const xml = `<?xml version="1.0" encoding="US-ASCII"?>
<linkbase xmlns="http://www.xbrl.org/2003/linkbase" xmlns:xlink="http://www.w3.org/1999/xlink">
  <labelLink xlink:type="extended" xlink:role="http://www.xbrl.org/2003/role/link">
    <loc xlink:type="locator" xlink:href="http://xbrl.fasb.org/us-gaap/2015/elts/us-gaap-2015-01-31.xsd#us-gaap_NonUsMember" xlink:label="us-gaap_NonUsMember"/>
    <label xlink:type="resource" xlink:role="http://www.xbrl.org/2003/role/label" xlink:label="us-gaap_NonUsMember_lbl" xml:lang="en-US">Non-US [Member]</label>
    <label xlink:type="resource" xlink:role="http://www.xbrl.org/2003/role/terseLabel" xlink:label="us-gaap_NonUsMember_lbl" xml:lang="en-US">Other Countries</label>
    <labelArc xlink:type="arc" xlink:arcrole="http://www.xbrl.org/2003/arcrole/concept-label" xlink:from="us-gaap_NonUsMember" xlink:to="us-gaap_NonUsMember_lbl"/>
    <loc xlink:type="locator" xlink:href="msft-20150630.xsd#msft_CommercialCloudMember" xlink:label="msft_CommercialCloudMember"/>
    <label xlink:type="resource" xlink:role="http://www.xbrl.org/2003/role/label" xlink:label="msft_CommercialCloudMember_lbl" xml:lang="en-US">Commercial Cloud [Member]</label>
    <labelArc xlink:type="arc" xlink:arcrole="http://www.xbrl.org/2003/arcrole/concept-label" xlink:from="msft_CommercialCloudMember" xlink:to="msft_CommercialCloudMember_lbl"/>
    <loc xlink:type="locator" xlink:href="http://xbrl.sec.gov/country/2013/country-2013-01-31.xsd#country_US" xlink:label="country_US"/>
    <label xlink:type="resource" xlink:role="http://www.xbrl.org/2003/role/label" xlink:label="country_US_lbl" xml:lang="en-US">UNITED STATES</label>
    <labelArc xlink:type="arc" xlink:arcrole="http://www.xbrl.org/2003/arcrole/concept-label" xlink:from="country_US" xlink:to="country_US_lbl"/>
  </labelLink>
</linkbase>`;
    // The SEC country taxonomy's capitals are not a filer's label: country:US keeps its English name.
    expect(Object.fromEntries(parseLabelLinkbase(xml))).toEqual({
      'us-gaap:NonUsMember': 'Other Countries',
      'msft:CommercialCloudMember': 'Commercial Cloud',
    });
  });

  it('scopes xlink labels to their extended link, and reads what a cut-short linkbase holds', () => {
    const link = (id: string, text: string) =>
      `<link:labelLink><link:loc xlink:label="loc" xlink:href="a.xsd#acme_${id}Member"/><link:label xlink:label="lab" xlink:role="http://www.xbrl.org/2003/role/terseLabel">${text}</link:label><link:labelArc xlink:from="loc" xlink:to="lab"/></link:labelLink>`;
    const xml = `<link:linkbase xmlns:link="http://www.xbrl.org/2003/linkbase" xmlns:xlink="http://www.w3.org/1999/xlink">${link('North', 'North &amp; Central')}${link('South', 'South')}`;
    expect(Object.fromEntries(parseLabelLinkbase(xml))).toEqual({ 'acme:NorthMember': 'North & Central', 'acme:SouthMember': 'South' });
  });

  it('maps locator fragments to QNames', () => {
    expect(qnameOfHref('https://xbrl.fasb.org/srt/2024/elts/srt-2024.xsd#srt_AsiaPacificMember')).toBe('srt:AsiaPacificMember');
    expect(qnameOfHref('nvda-20250727.xsd#nvda_ChinaIncludingHongKongMember')).toBe('nvda:ChinaIncludingHongKongMember');
    expect(qnameOfHref('no-fragment.xsd')).toBeUndefined();
  });
});

describe('labelLinkbaseName', () => {
  itWithSharedFixtures('finds the *_lab.xml of a real filing folder index (its stem differs from the primary document’s)', () => {
    const index = JSON.parse(readFileSync(shared('sec/indexes/0001213900-24-004875-index.json'), 'utf8'));
    expect(labelLinkbaseName(index, 'ea191807-8k_datchat.htm')).toBe('dats-20240116_lab.xml');
  });

  it('prefers the linkbase sharing the primary document’s stem, and says when there is none', () => {
    const index = {
      directory: { item: [{ name: 'other-20240101_lab.xml' }, { name: 'nvda-20250727_lab.xml' }, { name: 'nvda-20250727.htm' }] },
    };
    expect(labelLinkbaseName(index, 'nvda-20250727.htm')).toBe('nvda-20250727_lab.xml');
    expect(labelLinkbaseName({ directory: { item: [{ name: 'x.htm' }] } }, 'x.htm')).toBeUndefined();
    expect(labelLinkbaseName('not an index')).toBeUndefined();
  });
});
