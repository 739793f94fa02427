import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { USER_ROLES } from './care/user.js';
import { deliveryConfigFromEnv, type DeliveryConfig } from './delivery/config.js';

/** One MLLP listener: where it listens, its limits, TLS and which sending facilities it accepts. */
export interface ListenerConfig {
  name: string;
  host: string;
  port: number;
  maxMessageBytes: number;
  maxConnections: number;
  idleTimeoutMs: number;
  frameTimeoutMs: number;
  /** MSH-4 namespace ids allowed on this listener; empty = any. */
  allowedFacilities: readonly string[];
  tls?: { keyFile: string; certFile: string; caFile?: string | undefined; requireClientCert: boolean } | undefined;
}

/**
 * HTTPS of `serve` (TLS 1.3 only): `files` (CARECOORD_HTTP_TLS_KEY/_CERT), `self-signed` (generated
 * once into DATA_DIR/tls/ when no files are given), or `off` (CARECOORD_HTTP_TLS=off: plain HTTP
 * behind a TLS-terminating proxy).
 */
export type HttpTlsConfig = { mode: 'off' } | { mode: 'self-signed' } | { mode: 'files'; keyFile: string; certFile: string };

/**
 * Which reverse proxies' X-Forwarded-For the HTTP app believes (Fastify's trustProxy), so request.ip,
 * the "from where" of every audit entry and the key of the sign-in rate limit, is the client's address:
 * false (CARECOORD_TRUST_PROXY unset or off), or the proxies' addresses and CIDR ranges (proxy-addr's
 * loopback, linklocal, uniquelocal too). Not a hop count: Fastify 5 treats one as "trust nothing",
 * since it cannot tell a proxy from a client that connects directly and sends the header itself.
 */
export type TrustProxy = false | readonly string[];

export interface Config {
  dataDir: string;
  /** postgres:// URL switches the store to PostgreSQL; otherwise SQLite files in dataDir. */
  databaseUrl: string | undefined;
  http: { host: string; port: number; tls: HttpTlsConfig; trustProxy: TrustProxy };
  /** How long a break-the-glass grant lasts: CARECOORD_BREAK_GLASS_HOURS, default 4. */
  breakGlassMs: number;
  /** Prometheus /metrics on a listener of its own (CARECOORD_METRICS_PORT; host CARECOORD_METRICS_HOST, 127.0.0.1); undefined = off. */
  metrics: { host: string; port: number } | undefined;
  listeners: readonly ListenerConfig[];
  workers: { concurrency: number; maxAttempts: number; retryBaseMs: number; pollIntervalMs: number };
  /** Raw message log retention; the database refuses deletes of anything younger than six years. */
  retentionDays: number;
  /** Audit trail retention (CARECOORD_AUDIT_RETENTION_DAYS, six years at least): `serve` prunes older entries once a day. */
  auditRetentionDays: number;
  logLevel: string;
  /** carecoord's own MSH-3/MSH-4 in the acknowledgments it sends. */
  application: string;
  facility: string;
  auth: AuthConfig;
  /** The on-call pool of alert escalation (src/escalation): CARECOORD_ONCALL_USERS, usernames comma-separated, in order; empty: none. */
  onCallUsers: readonly string[];
  /** Alert delivery (src/delivery/config.ts): public URL, PHI per channel, SMTP, webhooks, VAPID. */
  delivery: DeliveryConfig;
}

/** Sign-in and session policy (src/auth); times in milliseconds, read from minutes/hours variables. */
export interface AuthConfig {
  /** Inactivity that ends a session (OWASP ASVS 3.3.1): CARECOORD_SESSION_IDLE_MINUTES, default 15. */
  sessionIdleMs: number;
  /** Absolute session lifetime, however active (ASVS 3.3.3): CARECOORD_SESSION_LIFETIME_HOURS, default 12. */
  sessionLifetimeMs: number;
  /** Roles that must use TOTP: CARECOORD_MFA_REQUIRED_ROLES, default admin ('none' for no role). */
  mfaRequiredRoles: readonly string[];
  /** Failed sign-ins that lock the account (CARECOORD_LOGIN_MAX_FAILURES, 5) and for how long (CARECOORD_LOGIN_LOCKOUT_MINUTES, 15). */
  maxFailedLogins: number;
  lockoutMs: number;
  /** Sign-in attempts per minute per client IP (CARECOORD_LOGIN_RATE_PER_IP, 20) and per username (CARECOORD_LOGIN_RATE_PER_USER, 10). */
  loginRatePerIp: number;
  loginRatePerUser: number;
  /** CARECOORD_INSECURE_COOKIES=1, development over plain HTTP only: the session cookie without Secure and __Host-. */
  insecureCookies: boolean;
}

/** A configuration value that cannot be used: names the flag or variable, so startup fails clearly. */
export class ConfigError extends Error {
  readonly code = 'config_invalid';
}

/** Flag values from the command line (already split by the CLI); they win over the environment. */
export type ConfigFlags = Partial<Record<'data-dir' | 'mllp-port' | 'mllp-host' | 'http-port' | 'http-host' | 'config' | 'log-level', string>>;

const DEFAULTS = {
  dataDir: './data',
  mllpHost: '127.0.0.1',
  mllpPort: 2575,
  httpHost: '127.0.0.1',
  httpPort: 8080,
  maxMessageBytes: 10 * 1024 * 1024,
  maxConnections: 200,
  idleTimeoutMs: 600_000,
  frameTimeoutMs: 60_000,
  retentionDays: 2192,
} as const;

/**
 * Build the configuration once from flags, then environment variables, then an optional JSON file
 * (--config / CARECOORD_CONFIG, which may also declare several listeners), then defaults.
 * The result is frozen and passed down; nothing reads process.env later.
 */
export function loadConfig(env: NodeJS.ProcessEnv, flags: ConfigFlags = {}): Config {
  const file = readConfigFile(flags.config ?? env.CARECOORD_CONFIG);
  const pick = (flag: keyof ConfigFlags | undefined, envName: string, fileValue: unknown): string | undefined =>
    (flag && flags[flag]) ?? env[envName] ?? (fileValue === undefined ? undefined : String(fileValue));
  const defaultListener: Partial<ListenerConfig> = (file.listeners as Partial<ListenerConfig>[] | undefined)?.[0] ?? {};
  const base = listenerFromEnv(env, flags, defaultListener);
  const extra = ((file.listeners as unknown[] | undefined) ?? []).slice(1).map((l, i) => fileListener(l, i + 1));
  const config: Config = {
    dataDir: pick('data-dir', 'CARECOORD_DATA_DIR', file.dataDir) ?? DEFAULTS.dataDir,
    databaseUrl: env.DATABASE_URL || (file.databaseUrl as string | undefined) || undefined,
    http: {
      host: pick('http-host', 'CARECOORD_HTTP_HOST', (file.http as { host?: string } | undefined)?.host) ?? DEFAULTS.httpHost,
      port: port(pick('http-port', 'CARECOORD_HTTP_PORT', (file.http as { port?: number } | undefined)?.port), DEFAULTS.httpPort, 'CARECOORD_HTTP_PORT / --http-port'),
      tls: httpTlsFromEnv(env),
      trustProxy: trustProxyFromEnv(env.CARECOORD_TRUST_PROXY),
    },
    breakGlassMs: int(env.CARECOORD_BREAK_GLASS_HOURS, 4, 'CARECOORD_BREAK_GLASS_HOURS', 1, 72) * 3_600_000,
    metrics: env.CARECOORD_METRICS_PORT
      ? { host: env.CARECOORD_METRICS_HOST || '127.0.0.1', port: port(env.CARECOORD_METRICS_PORT, 0, 'CARECOORD_METRICS_PORT') }
      : undefined,
    listeners: [base, ...extra],
    workers: {
      concurrency: int(pick(undefined, 'CARECOORD_WORKERS', undefined), 8, 'CARECOORD_WORKERS', 1, 256),
      maxAttempts: int(pick(undefined, 'CARECOORD_MAX_ATTEMPTS', undefined), 5, 'CARECOORD_MAX_ATTEMPTS', 1, 100),
      retryBaseMs: int(pick(undefined, 'CARECOORD_RETRY_BASE_MS', undefined), 1000, 'CARECOORD_RETRY_BASE_MS', 1, 3_600_000),
      pollIntervalMs: int(pick(undefined, 'CARECOORD_POLL_MS', undefined), 1000, 'CARECOORD_POLL_MS', 10, 60_000),
    },
    retentionDays: int(pick(undefined, 'CARECOORD_RETENTION_DAYS', file.retentionDays), DEFAULTS.retentionDays, 'CARECOORD_RETENTION_DAYS (six years at least)', DEFAULTS.retentionDays, 100_000),
    auditRetentionDays: int(pick(undefined, 'CARECOORD_AUDIT_RETENTION_DAYS', file.auditRetentionDays), DEFAULTS.retentionDays, 'CARECOORD_AUDIT_RETENTION_DAYS (six years at least)', DEFAULTS.retentionDays, 100_000),
    logLevel: pick('log-level', 'CARECOORD_LOG_LEVEL', file.logLevel) ?? 'info',
    application: env.CARECOORD_APPLICATION ?? (file.application as string | undefined) ?? 'CARECOORD',
    facility: env.CARECOORD_FACILITY ?? (file.facility as string | undefined) ?? 'CARECOORD',
    auth: authFromEnv(env),
    delivery: deliveryFromEnv(env),
    onCallUsers: splitList(env.CARECOORD_ONCALL_USERS ?? '').map((u) => u.toLowerCase()),
  };
  const names = new Set(config.listeners.map((l) => l.name));
  if (names.size !== config.listeners.length) throw new ConfigError('listener names must be unique');
  return deepFreeze(config);
}

function listenerFromEnv(env: NodeJS.ProcessEnv, flags: ConfigFlags, file: Partial<ListenerConfig> & { tls?: Partial<NonNullable<ListenerConfig['tls']>> }): ListenerConfig {
  const tlsKey = env.CARECOORD_MLLP_TLS_KEY ?? file.tls?.keyFile;
  const tlsCert = env.CARECOORD_MLLP_TLS_CERT ?? file.tls?.certFile;
  if (!!tlsKey !== !!tlsCert) throw new ConfigError('CARECOORD_MLLP_TLS_KEY and CARECOORD_MLLP_TLS_CERT must be set together');
  const facilities = env.CARECOORD_MLLP_ALLOWED_FACILITIES ?? file.allowedFacilities;
  return {
    name: file.name ?? 'default',
    host: flags['mllp-host'] ?? env.CARECOORD_MLLP_HOST ?? file.host ?? DEFAULTS.mllpHost,
    port: port(flags['mllp-port'] ?? env.CARECOORD_MLLP_PORT ?? file.port, DEFAULTS.mllpPort, 'CARECOORD_MLLP_PORT / --mllp-port'),
    maxMessageBytes: int(env.CARECOORD_MAX_MESSAGE_BYTES ?? file.maxMessageBytes, DEFAULTS.maxMessageBytes, 'CARECOORD_MAX_MESSAGE_BYTES', 1024, 1 << 30),
    maxConnections: int(env.CARECOORD_MLLP_MAX_CONNECTIONS ?? file.maxConnections, DEFAULTS.maxConnections, 'CARECOORD_MLLP_MAX_CONNECTIONS', 1, 100_000),
    idleTimeoutMs: int(env.CARECOORD_MLLP_IDLE_TIMEOUT_MS ?? file.idleTimeoutMs, DEFAULTS.idleTimeoutMs, 'CARECOORD_MLLP_IDLE_TIMEOUT_MS', 1000, 86_400_000),
    frameTimeoutMs: int(env.CARECOORD_MLLP_FRAME_TIMEOUT_MS ?? file.frameTimeoutMs, DEFAULTS.frameTimeoutMs, 'CARECOORD_MLLP_FRAME_TIMEOUT_MS', 100, 3_600_000),
    allowedFacilities: typeof facilities === 'string' ? splitList(facilities) : [...(facilities ?? [])],
    tls: tlsKey && tlsCert
      ? {
          keyFile: tlsKey,
          certFile: tlsCert,
          caFile: env.CARECOORD_MLLP_TLS_CA ?? file.tls?.caFile,
          requireClientCert: bool(env.CARECOORD_MLLP_REQUIRE_CLIENT_CERT ?? file.tls?.requireClientCert, false),
        }
      : undefined,
  };
}

function fileListener(raw: unknown, index: number): ListenerConfig {
  const l = (raw ?? {}) as Partial<ListenerConfig> & { tls?: Partial<NonNullable<ListenerConfig['tls']>> };
  if (!l.name) throw new ConfigError(`listeners[${index}].name is required`);
  if (l.tls && (!l.tls.keyFile || !l.tls.certFile)) throw new ConfigError(`listeners[${index}].tls needs keyFile and certFile`);
  return {
    name: l.name,
    host: l.host ?? DEFAULTS.mllpHost,
    port: port(l.port, DEFAULTS.mllpPort, `listeners[${index}].port`),
    maxMessageBytes: int(l.maxMessageBytes, DEFAULTS.maxMessageBytes, `listeners[${index}].maxMessageBytes`, 1024, 1 << 30),
    maxConnections: int(l.maxConnections, DEFAULTS.maxConnections, `listeners[${index}].maxConnections`, 1, 100_000),
    idleTimeoutMs: int(l.idleTimeoutMs, DEFAULTS.idleTimeoutMs, `listeners[${index}].idleTimeoutMs`, 1000, 86_400_000),
    frameTimeoutMs: int(l.frameTimeoutMs, DEFAULTS.frameTimeoutMs, `listeners[${index}].frameTimeoutMs`, 100, 3_600_000),
    allowedFacilities: [...(l.allowedFacilities ?? [])],
    tls: l.tls ? { keyFile: l.tls.keyFile!, certFile: l.tls.certFile!, caFile: l.tls.caFile, requireClientCert: !!l.tls.requireClientCert } : undefined,
  };
}

function httpTlsFromEnv(env: NodeJS.ProcessEnv): HttpTlsConfig {
  const keyFile = env.CARECOORD_HTTP_TLS_KEY || undefined;
  const certFile = env.CARECOORD_HTTP_TLS_CERT || undefined;
  if (!!keyFile !== !!certFile) throw new ConfigError('CARECOORD_HTTP_TLS_KEY and CARECOORD_HTTP_TLS_CERT must be set together');
  const setting = (env.CARECOORD_HTTP_TLS ?? 'on').trim().toLowerCase();
  if (setting !== 'on' && setting !== 'off') throw new ConfigError(`CARECOORD_HTTP_TLS must be on or off, got "${env.CARECOORD_HTTP_TLS}"`);
  if (setting === 'off') {
    if (keyFile) throw new ConfigError('CARECOORD_HTTP_TLS=off cannot be combined with CARECOORD_HTTP_TLS_KEY / _CERT');
    return { mode: 'off' };
  }
  return keyFile && certFile ? { mode: 'files', keyFile, certFile } : { mode: 'self-signed' };
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function trustProxyFromEnv(value: string | undefined): TrustProxy {
  const v = (value ?? '').trim();
  if (v === '' || /^(off|false|no|0)$/i.test(v)) return false;
  if (/^[0-9]+$/.test(v)) {
    throw new ConfigError(`CARECOORD_TRUST_PROXY: a hop count ("${v}") is not honoured by Fastify 5 (any client could then choose its audited address); list the proxies' addresses or CIDR ranges`);
  }
  if (/^(on|true|yes|all|\*)$/i.test(v)) {
    throw new ConfigError('CARECOORD_TRUST_PROXY must name the proxies (addresses, CIDR ranges, loopback...): trusting every sender would let any client choose the address audited for it');
  }
  const entries = splitList(v);
  const bad = entries.filter((e) => !PROXY_NAMES.includes(e) && !isAddressOrCidr(e));
  if (bad.length) throw new ConfigError(`CARECOORD_TRUST_PROXY: not an address, CIDR range or ${PROXY_NAMES.join('/')}: ${bad.join(', ')}`);
  return entries;
}

function isAddressOrCidr(entry: string): boolean {
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^[0-9]{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}

function authFromEnv(env: NodeJS.ProcessEnv): AuthConfig {
  const roles = env.CARECOORD_MFA_REQUIRED_ROLES === undefined ? ['admin'] : splitList(env.CARECOORD_MFA_REQUIRED_ROLES).filter((r) => r !== 'none');
  const unknown = roles.filter((r) => !(USER_ROLES as readonly string[]).includes(r));
  if (unknown.length) throw new ConfigError(`CARECOORD_MFA_REQUIRED_ROLES: unknown role ${unknown.join(', ')} (roles: ${USER_ROLES.join(', ')})`);
  const minute = 60_000;
  return {
    sessionIdleMs: int(env.CARECOORD_SESSION_IDLE_MINUTES, 15, 'CARECOORD_SESSION_IDLE_MINUTES', 1, 1440) * minute,
    sessionLifetimeMs: int(env.CARECOORD_SESSION_LIFETIME_HOURS, 12, 'CARECOORD_SESSION_LIFETIME_HOURS', 1, 168) * 60 * minute,
    mfaRequiredRoles: roles,
    maxFailedLogins: int(env.CARECOORD_LOGIN_MAX_FAILURES, 5, 'CARECOORD_LOGIN_MAX_FAILURES', 1, 100),
    lockoutMs: int(env.CARECOORD_LOGIN_LOCKOUT_MINUTES, 15, 'CARECOORD_LOGIN_LOCKOUT_MINUTES', 1, 1440) * minute,
    loginRatePerIp: int(env.CARECOORD_LOGIN_RATE_PER_IP, 20, 'CARECOORD_LOGIN_RATE_PER_IP', 1, 100_000),
    loginRatePerUser: int(env.CARECOORD_LOGIN_RATE_PER_USER, 10, 'CARECOORD_LOGIN_RATE_PER_USER', 1, 100_000),
    insecureCookies: bool(env.CARECOORD_INSECURE_COOKIES, false),
  };
}

function deliveryFromEnv(env: NodeJS.ProcessEnv): DeliveryConfig {
  try {
    return deliveryConfigFromEnv(env);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

function readConfigFile(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
}

function int(value: unknown, fallback: number, name: string, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${String(value)}"`);
  return n;
}

function port(value: unknown, fallback: number, name: string): number {
  return int(value, fallback, name, 0, 65_535);
}

function bool(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return value === true || /^(1|true|yes|on)$/i.test(String(value));
}

function splitList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
