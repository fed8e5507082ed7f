import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfigFile, requireSecUserAgent } from '../../lambdas/core/config.ts';
import { ConfigError } from '../../lambdas/core/errors.ts';
import { DEFAULT_SCHEDULES, toCronPattern, toEventBridgeCron } from '../../lambdas/core/schedule.ts';

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
    expect(() => parseConfigFile({ watchlist: ['NVDA'], countriesOfInterest: ['Singapore'] })).toThrow(/countriesOfInterest\.0: expected an ISO-3166/);
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

describe('schedules', () => {
  it('translate one definition to EventBridge and croner forms', () => {
    expect(toEventBridgeCron(DEFAULT_SCHEDULES['sec-filings'])).toBe('cron(*/10 6-22 ? * MON-FRI *)');
    expect(toCronPattern(DEFAULT_SCHEDULES['sec-filings'])).toBe('*/10 6-22 * * MON-FRI');
    expect(toEventBridgeCron(DEFAULT_SCHEDULES['entity-list'])).toBe('cron(40 * * * ? *)');
  });
});
