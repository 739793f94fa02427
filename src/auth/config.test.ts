import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';

describe('auth configuration', () => {
  it('defaults: 15 minutes idle, 12 hours, TOTP for admins, 5 failures lock 15 minutes, secure cookies', () => {
    expect(loadConfig({}).auth).toEqual({
      sessionIdleMs: 900_000, sessionLifetimeMs: 43_200_000, mfaRequiredRoles: ['admin'], maxFailedLogins: 5, lockoutMs: 900_000,
      loginRatePerIp: 20, loginRatePerUser: 10, insecureCookies: false,
    });
  });

  it('reads the environment', () => {
    const auth = loadConfig({
      CARECOORD_SESSION_IDLE_MINUTES: '5', CARECOORD_SESSION_LIFETIME_HOURS: '8', CARECOORD_MFA_REQUIRED_ROLES: 'admin, physician',
      CARECOORD_LOGIN_MAX_FAILURES: '3', CARECOORD_LOGIN_LOCKOUT_MINUTES: '30', CARECOORD_INSECURE_COOKIES: '1',
    }).auth;
    expect(auth).toMatchObject({ sessionIdleMs: 300_000, sessionLifetimeMs: 28_800_000, mfaRequiredRoles: ['admin', 'physician'], maxFailedLogins: 3, lockoutMs: 1_800_000, insecureCookies: true });
    expect(loadConfig({ CARECOORD_MFA_REQUIRED_ROLES: 'none' }).auth.mfaRequiredRoles).toEqual([]);
  });

  it('names the variable of a bad value', () => {
    expect(() => loadConfig({ CARECOORD_MFA_REQUIRED_ROLES: 'admin,boss' })).toThrow(ConfigError);
    expect(() => loadConfig({ CARECOORD_MFA_REQUIRED_ROLES: 'admin,boss' })).toThrow(/CARECOORD_MFA_REQUIRED_ROLES: unknown role boss/);
    expect(() => loadConfig({ CARECOORD_SESSION_IDLE_MINUTES: '0' })).toThrow(/CARECOORD_SESSION_IDLE_MINUTES/);
  });
});
