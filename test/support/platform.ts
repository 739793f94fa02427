import pino from 'pino';
import { startPlatform, type PlatformOptions, type RunningPlatform } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { DialectName } from '../../src/store/open.js';
import { MllpClient } from '../../src/mllp/index.js';
import { freshDatabase, type TestDatabase } from './stores.js';

export interface TestPlatform {
  platform: RunningPlatform;
  tdb: TestDatabase;
  port: number;
  connect(): Promise<MllpClient>;
  stop(): Promise<void>;
}

/** A real carecoord on a fresh database, MLLP and HTTP on ephemeral loopback ports. */
export async function startTestPlatform(
  dialect: DialectName,
  env: Record<string, string> = {},
  options: PlatformOptions = {},
  existing?: TestDatabase,
): Promise<TestPlatform> {
  const tdb = existing ?? (await freshDatabase(dialect));
  const config = loadConfig({
    CARECOORD_DATA_DIR: tdb.dataDir,
    ...(tdb.databaseUrl ? { DATABASE_URL: tdb.databaseUrl } : {}),
    CARECOORD_MLLP_PORT: '0',
    CARECOORD_HTTP_PORT: '0',
    CARECOORD_POLL_MS: '50',
    CARECOORD_RETRY_BASE_MS: '20',
    CARECOORD_LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // Plain HTTP unless a test is about HTTPS (it passes CARECOORD_HTTP_TLS: 'on').
    CARECOORD_HTTP_TLS: 'off',
    ...env,
  });
  const platform = await startPlatform(config, pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), options);
  const port = platform.mllpPorts.default!;
  return {
    platform,
    tdb,
    port,
    connect: () => MllpClient.connect({ host: '127.0.0.1', port }),
    stop: async () => {
      await platform.stop();
    },
  };
}

/** Poll `check` until it returns a value that is not undefined/false, or fail after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A minimal well-formed HL7 v2.5.1 message. */
export function adt(controlId: string, mrn: string, opts: { trigger?: string; facility?: string; app?: string; extra?: string } = {}): string {
  const trigger = opts.trigger ?? 'A08';
  return [
    `MSH|^~\\&|${opts.app ?? 'EPIC'}|${opts.facility ?? 'GENHOSP'}|CARECOORD|CC|20261125101500-0500||ADT^${trigger}^ADT_A01|${controlId}|P|2.5.1`,
    `EVN|${trigger}|20261125101500-0500`,
    `PID|1||${mrn}^^^GENHOSP^MR||DOE^JANE^Q||19500101|F`,
    `PV1|1|I|4W^401^A`,
    ...(opts.extra ? [opts.extra] : []),
  ].join('\r') + '\r';
}
