import { describe, expect, it } from 'vitest';
import { CSL_LIST_CODES, loadConfig, parseConfigFile, requireSecUserAgent } from '#core/config.ts';
import { ConfigError } from '#core/errors.ts';
import { BURST_SCHEDULES, DEFAULT_SCHEDULES, toCronPattern, toEventBridgeCron } from '#core/schedule.ts';

describe('config', () => {
  it('loads the shipped config with defaults and env overrides', () => {
    const config = loadConfig({ EXPORT_WATCH_CONFIG: 'export-watch.config.json', SEC_DATA_URL: 'http://127.0.0.1:9/sec-data/' });
    expect(config.watchlist).toEqual(['NVDA', 'AMD', 'INTC', 'MU', 'AVGO', 'SMCI', 'AMAT']);
    expect(config.countriesOfInterest).toContain('SG');
    expect(config.urls.secData).toBe('http://127.0.0.1:9/sec-data');
    expect(config.urls.secWww).toBe('https://www.sec.gov');
    expect(config.http.secRequestsPerSecond).toBeLessThanOrEqual(10);
    expect(config.sources['sec-filings'].enabled).toBe(true);
    expect(config.subscribers[0]?.email).toBe('analyst@example.com');
  });

  it('names the bad field in its error', () => {
    expect(() => parseConfigFile({ watchlist: ['NVDA'], countriesOfInterest: ['Singapore'] })).toThrow(
      /countriesOfInterest\.0: expected an ISO-3166/,
    );
    expect(() => parseConfigFile({ watchlist: [] })).toThrow(ConfigError);
    expect(() => parseConfigFile({ watchlist: ['NVDA'], subscribers: [{ email: 'not-an-email' }] })).toThrow(/subscribers\.0\.email/);
    expect(() => parseConfigFile({ watchlist: ['NVDA'], http: { secRequestsPerSecond: 50 } })).toThrow(/http\.secRequestsPerSecond/);
    expect(() => parseConfigFile({ watchlist: ['NVDA'], typo: true })).toThrow(/typo|Unrecognized/);
  });

  it('rejects bad environment values and never invents a SEC User-Agent', () => {
    expect(() => loadConfig({ EXPORT_WATCH_CONFIG: 'export-watch.config.json', SEC_WWW_URL: 'ftp://x' })).toThrow(/SEC_WWW_URL/);
    expect(() => loadConfig({ EXPORT_WATCH_CONFIG: 'export-watch.config.json', SEC_USER_AGENT: 'curl/8' })).toThrow(/SEC_USER_AGENT/);
    const noAgent = loadConfig({ EXPORT_WATCH_CONFIG: 'export-watch.config.json' });
    expect(() => requireSecUserAgent(noAgent)).toThrow(/SEC_USER_AGENT is not set/);
    const withAgent = loadConfig({ EXPORT_WATCH_CONFIG: 'export-watch.config.json', SEC_USER_AGENT: 'Acme Research admin@acme.com' });
    expect(requireSecUserAgent(withAgent)).toBe('Acme Research admin@acme.com');
  });

  it('reads inline JSON config (the deployed Lambdas) and reports invalid JSON clearly', () => {
    const config = loadConfig({ EXPORT_WATCH_CONFIG_JSON: JSON.stringify({ watchlist: ['1045810'] }) });
    expect(config.watchlist).toEqual(['1045810']);
    expect(config.forms).toContain('10-Q');
    expect(() => loadConfig({ EXPORT_WATCH_CONFIG_JSON: '{' })).toThrow(/EXPORT_WATCH_CONFIG_JSON is not valid JSON/);
    expect(() => loadConfig({ EXPORT_WATCH_CONFIG: '/nonexistent.json' })).toThrow(/Cannot read config file/);
  });
});

describe('config: entityList', () => {
  const base = { watchlist: ['NVDA'] };

  it('is optional: the source falls back to its defaults', () => {
    expect(parseConfigFile(base).entityList).toBeUndefined();
    expect(parseConfigFile({ ...base, entityList: {} }).entityList).toEqual({});
  });

  it('accepts known CSL list codes and sanity ratios in (0, 1]', () => {
    const file = parseConfigFile({
      ...base,
      entityList: { lists: ['EL', 'MEU', 'UVL', 'DPL', 'SDN'], maxCountChange: 0.25, maxListChange: 1 },
    });
    expect(file.entityList).toEqual({ lists: ['EL', 'MEU', 'UVL', 'DPL', 'SDN'], maxCountChange: 0.25, maxListChange: 1 });
    for (const code of CSL_LIST_CODES)
      expect(parseConfigFile({ ...base, entityList: { lists: [code] } }).entityList?.lists).toEqual([code]);
    const inline = loadConfig({ EXPORT_WATCH_CONFIG_JSON: JSON.stringify({ ...base, entityList: { lists: ['EL', 'DPL'] } }) });
    expect(inline.entityList?.lists).toEqual(['EL', 'DPL']);
  });

  it('rejects unknown or repeated lists with a message naming the field and the known codes', () => {
    expect(() => parseConfigFile({ ...base, entityList: { lists: ['EL', 'XYZ'] } })).toThrow(
      /entityList\.lists\.1: expected a CSL list code: one of EL, MEU, UVL, DPL/,
    );
    // Full published names are not codes: the config names lists one way only.
    expect(() => parseConfigFile({ ...base, entityList: { lists: ['Entity List (EL) - Bureau of Industry and Security'] } })).toThrow(
      /entityList\.lists\.0: expected a CSL list code/,
    );
    expect(() => parseConfigFile({ ...base, entityList: { lists: ['el'] } })).toThrow(/entityList\.lists\.0/);
    expect(() => parseConfigFile({ ...base, entityList: { lists: [] } })).toThrow(/entityList\.lists: expected at least one list code/);
    expect(() => parseConfigFile({ ...base, entityList: { lists: ['EL', 'EL'] } })).toThrow(
      /entityList\.lists: expected each list code once/,
    );
  });

  it('rejects out-of-range or non-numeric bounds and unknown keys', () => {
    expect(() => parseConfigFile({ ...base, entityList: { maxCountChange: 0 } })).toThrow(
      /entityList\.maxCountChange: expected a ratio above 0/,
    );
    expect(() => parseConfigFile({ ...base, entityList: { maxCountChange: -0.1 } })).toThrow(
      /entityList\.maxCountChange: expected a ratio above 0/,
    );
    // 10 (meaning 10%) is the likely mistake: the bound is a ratio.
    expect(() => parseConfigFile({ ...base, entityList: { maxCountChange: 10 } })).toThrow(
      /entityList\.maxCountChange: expected a ratio of at most 1 .*0\.1 = ±10%/,
    );
    expect(() => parseConfigFile({ ...base, entityList: { maxListChange: 1.5 } })).toThrow(
      /entityList\.maxListChange: expected a ratio of at most 1/,
    );
    expect(() => parseConfigFile({ ...base, entityList: { maxCountChange: '10%' } })).toThrow(
      /entityList\.maxCountChange: expected a ratio such as 0\.1/,
    );
    expect(() => parseConfigFile({ ...base, entityList: { sanityBound: 0.2 } })).toThrow(/entityList.*sanityBound|Unrecognized/);
    expect(() => parseConfigFile({ ...base, entityList: { lists: ['EL'] }, typo: 1 })).toThrow(ConfigError);
  });
});

describe('schedules', () => {
  it('translate one definition to EventBridge and croner forms', () => {
    expect(toEventBridgeCron(DEFAULT_SCHEDULES['sec-filings'])).toBe('cron(* 6-22 ? * MON-FRI *)');
    expect(toCronPattern(DEFAULT_SCHEDULES['sec-filings'])).toBe('* 6-22 * * MON-FRI');
    expect(toEventBridgeCron(DEFAULT_SCHEDULES['entity-list'])).toBe('cron(10,25,40,55 * * * ? *)');
    expect(toEventBridgeCron(BURST_SCHEDULES['federal-register']!)).toBe('cron(1-59/2 8-18 ? * MON-FRI *)');
  });
});
