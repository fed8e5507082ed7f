import { describe, expect, it } from 'vitest';
import { countryName, fullCountryName, isoCountry, regionName, UNRECOGNISED_COUNTRY } from '#core/countries.ts';
import { formatMillions, formatMoney, formatMoneyShort } from '#core/format.ts';

describe('money formatting, one home per style', () => {
  it('formatMoney: billions and millions with one decimal, full dollars below, ASCII minus', () => {
    expect(formatMoney(46_743e6)).toBe('$46.7B');
    expect(formatMoney(743e6)).toBe('$743.0M');
    expect(formatMoney(12_345)).toBe('$12,345');
    expect(formatMoney(-1.25e9)).toBe('-$1.3B');
    expect(formatMoney(-999)).toBe('-$999');
  });

  it('formatMoneyShort: adds thousands, U+2212 for a negative amount, a dash when unknown', () => {
    expect(formatMoneyShort(10e9)).toBe('$10.0B');
    expect(formatMoneyShort(512.34e6)).toBe('$512.3M');
    expect(formatMoneyShort(4_200)).toBe('$4.2K');
    expect(formatMoneyShort(950)).toBe('$950');
    expect(formatMoneyShort(-1.2e9)).toBe('−$1.2B');
    expect(formatMoneyShort(undefined)).toBe('—');
    expect(formatMoneyShort(null)).toBe('—');
  });

  it('formatMillions: whole millions without decimals, else up to the given digits', () => {
    expect(formatMillions(46_743e6, 1)).toBe('46,743');
    expect(formatMillions(743.46e6, 1)).toBe('743.5');
    expect(formatMillions(743.4567e6, 3)).toBe('743.457');
  });
});

describe('country names, one home', () => {
  it('countryName (emails): short names, and never the raw value of a non-ISO code', () => {
    expect(countryName('SG')).toBe('Singapore');
    expect(countryName('ae')).toBe('UAE');
    expect(countryName('GB')).toBe('UK');
    expect(countryName('HK')).toBe('Hong Kong');
    expect(countryName('ZZ')).toBe(UNRECOGNISED_COUNTRY);
    expect(countryName('C\u001b[31mN')).toBe(UNRECOGNISED_COUNTRY);
    expect(isoCountry(' cn ')).toBe('CN');
    expect(isoCountry(7)).toBeUndefined();
  });

  it('fullCountryName (revenue labels): ICU names with the 10-Q overrides, the code when unknown', () => {
    expect(fullCountryName('ae')).toBe('United Arab Emirates');
    expect(fullCountryName('MO')).toBe('Macau');
    expect(fullCountryName('PS')).toBe('Palestine');
    expect(fullCountryName('1')).toBe('1');
  });

  it('regionName (CLI): ICU names for two upper-case letters, anything else as given', () => {
    expect(regionName('CN')).toBe('China');
    expect(regionName('cn')).toBe('cn');
    expect(regionName('Unknown')).toBe('Unknown');
  });
});
