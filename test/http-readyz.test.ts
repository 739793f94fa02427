import { afterEach, describe, expect, it } from 'vitest';
import { Heartbeat, notReady } from '../src/api/health.js';
import { eventually, startTestPlatform, type TestPlatform } from './support/platform.js';
import { DIALECTS } from './support/stores.js';

async function get(tp: TestPlatform, path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${tp.platform.httpPort}${path}`);
  return { status: res.status, body: await res.json() };
}

describe.each(DIALECTS)('GET /readyz (%s)', (dialect) => {
  let tp: TestPlatform | undefined;

  afterEach(async () => {
    await tp?.stop();
    await tp?.tdb.cleanup();
    tp = undefined;
  });

  it('is 200 when the store answers, the processing thread runs and the listener listens', async () => {
    tp = await startTestPlatform(dialect);
    expect(await get(tp, '/readyz')).toEqual({ status: 200, body: { status: 'ready', notReady: [] } });
    expect((await get(tp, '/healthz')).status).toBe(200);
  });

  it('is 503 naming processing once the processing thread has stopped; /healthz still answers 200', async () => {
    tp = await startTestPlatform(dialect);
    await tp.platform.workers.stop();
    const res = await eventually(async () => {
      const r = await get(tp!, '/readyz');
      return r.status === 503 ? r : undefined;
    }, 10_000, '503 from /readyz');
    expect(res.body).toEqual({ status: 'not ready', notReady: ['processing'] });
    expect((await get(tp, '/healthz')).status).toBe(200);
  });

  it('is 503 naming the store once the store is closed', async () => {
    tp = await startTestPlatform(dialect);
    await tp.platform.store.close();
    const res = await get(tp, '/readyz');
    expect(res.status).toBe(503);
    expect(res.body.notReady).toContain('store');
  });
});

describe('readiness checks', () => {
  const ok = { store: async () => {}, processingAlive: () => true, listeners: () => ({ a: true, b: true }) };

  it('lists every part that is not ready', async () => {
    expect(await notReady(ok)).toEqual([]);
    expect(await notReady({ ...ok, listeners: () => ({ a: true, b: false }) })).toEqual(['mllp:b']);
    expect(await notReady({ store: () => Promise.reject(new Error('closed')), processingAlive: () => false, listeners: () => ({ a: false }) }))
      .toEqual(['store', 'processing', 'mllp:a']);
  });

  it('counts a store that does not answer in time as not ready', async () => {
    expect(await notReady({ ...ok, store: () => new Promise(() => {}) }, 50)).toEqual(['store']);
  });

  it('takes a thread for alive while its reported object keeps changing, dead once it stops changing', async () => {
    let stats = {};
    const beat = new Heartbeat(() => stats, 100, 10);
    expect(beat.alive()).toBe(false); // not started
    beat.start();
    const t0 = Date.now();
    expect(beat.alive(t0)).toBe(true);
    stats = {};
    expect(beat.alive(t0 + 90)).toBe(true);
    expect(beat.alive(t0 + 250)).toBe(false);
    stats = {};
    expect(beat.alive(t0 + 260)).toBe(true);
    beat.stop();
    expect(beat.alive()).toBe(false);
  });
});
