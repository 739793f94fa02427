import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('takes defaults, then environment, then flags', () => {
    expect(loadConfig({}).listeners[0]).toMatchObject({ name: 'default', host: '127.0.0.1', port: 2575, maxMessageBytes: 10 * 1024 * 1024 });
    const c = loadConfig({ CARECOORD_MLLP_PORT: '3000', CARECOORD_DATA_DIR: '/env' }, { 'mllp-port': '4000' });
    expect(c.listeners[0]!.port).toBe(4000);
    expect(c.dataDir).toBe('/env');
  });

  it('names the variable of a bad value', () => {
    expect(() => loadConfig({ CARECOORD_MLLP_PORT: 'seventy' })).toThrow(ConfigError);
    expect(() => loadConfig({ CARECOORD_MLLP_PORT: 'seventy' })).toThrow(/CARECOORD_MLLP_PORT/);
    expect(() => loadConfig({ CARECOORD_RETENTION_DAYS: '30' })).toThrow(/six years/);
    expect(() => loadConfig({ CARECOORD_MLLP_TLS_KEY: 'k.pem' })).toThrow(/set together/);
  });

  it('reads the facility allow-list and freezes the result', () => {
    const c = loadConfig({ CARECOORD_MLLP_ALLOWED_FACILITIES: 'GENHOSP, NORTH ' });
    expect(c.listeners[0]!.allowedFacilities).toEqual(['GENHOSP', 'NORTH']);
    expect(Object.isFrozen(c.listeners[0])).toBe(true);
  });

  it('treats an empty DATABASE_URL as SQLite', () => {
    expect(loadConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });
});
