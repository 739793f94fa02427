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

describe('access settings of serve', () => {
  it('reads the break-the-glass duration in hours (4 by default), refusing what is not a whole number of 1 to 72', () => {
    expect(loadConfig({}).breakGlassMs).toBe(4 * 3_600_000);
    expect(loadConfig({ CARECOORD_BREAK_GLASS_HOURS: '8' }).breakGlassMs).toBe(8 * 3_600_000);
    for (const bad of ['four', '0', '1.5', '100']) expect(() => loadConfig({ CARECOORD_BREAK_GLASS_HOURS: bad }), bad).toThrow(/CARECOORD_BREAK_GLASS_HOURS/);
  });

  it('trusts no proxy by default, and the listed addresses and ranges when asked', () => {
    expect(loadConfig({}).http.trustProxy).toBe(false);
    expect(loadConfig({ CARECOORD_TRUST_PROXY: 'off' }).http.trustProxy).toBe(false);
    expect(loadConfig({ CARECOORD_TRUST_PROXY: '10.0.0.5, 192.168.0.0/16, ::1, fd00::/8, loopback' }).http.trustProxy)
      .toEqual(['10.0.0.5', '192.168.0.0/16', '::1', 'fd00::/8', 'loopback']);
  });

  it('refuses to trust everyone, a hop count (Fastify 5 ignores it) and what is not an address', () => {
    expect(() => loadConfig({ CARECOORD_TRUST_PROXY: 'true' })).toThrow(/choose the address audited/);
    expect(() => loadConfig({ CARECOORD_TRUST_PROXY: '2' })).toThrow(/hop count/);
    expect(() => loadConfig({ CARECOORD_TRUST_PROXY: '10.0.0.0/33' })).toThrow(/CARECOORD_TRUST_PROXY: not an address.*10\.0\.0\.0\/33/);
    expect(() => loadConfig({ CARECOORD_TRUST_PROXY: 'proxy.internal' })).toThrow(ConfigError);
  });

  it('reads the escalation on-call list (usernames, in order, lower-cased; empty by default)', () => {
    expect(loadConfig({}).onCallUsers).toEqual([]);
    expect(loadConfig({ CARECOORD_ONCALL_USERS: ' Doc1, nurse.night ,' }).onCallUsers).toEqual(['doc1', 'nurse.night']);
  });
});
