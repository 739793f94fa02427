import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { signIn, type ApiServer } from '../src/access/testing.js';
import { addUserWithPassword, authConfig } from '../src/auth/testing.js';
import { metrics } from '../src/metrics/index.js';
import { SseClient } from '../src/realtime/testing.js';
import { insertTestAlert } from './support/alerts.js';
import { adt, eventually, startTestPlatform, type TestPlatform } from './support/platform.js';
import { DIALECTS } from './support/stores.js';

async function scrape(port: number): Promise<{ status: number; type: string | undefined; text: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], text }));
    }).on('error', reject).end();
  });
}

/** The value of one sample line, e.g. value(text, 'carecoord_queue_depth{status="new"}'); 0 when absent. */
function value(text: string, sample: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : 0;
}

const METRICS = { CARECOORD_METRICS_PORT: '0', CARECOORD_MLLP_ALLOWED_FACILITIES: 'GENHOSP' };

describe.each(DIALECTS)('GET /metrics (%s)', (dialect) => {
  let tp: TestPlatform | undefined;

  afterEach(async () => {
    await tp?.stop();
    await tp?.tdb.cleanup();
    tp = undefined;
  });

  it('counts messages received and acknowledged per listener and code, in the Prometheus text format', async () => {
    tp = await startTestPlatform(dialect, METRICS);
    const port = tp.platform.metricsPort!;
    const before = (await scrape(port)).text;
    const client = await tp.connect();
    expect((await client.send(adt('M1', 'MRN1'))).toString('latin1')).toContain('MSA|AA|M1');
    expect((await client.send(adt('M2', 'MRN2'))).toString('latin1')).toContain('MSA|AA|M2');
    expect((await client.send(adt('M3', 'MRN3', { facility: 'ELSEWHERE' }))).toString('latin1')).toContain('MSA|AR|M3');
    // A retransmission is answered again with the stored ACK: received and acknowledged once more.
    expect((await client.send(adt('M1', 'MRN1'))).toString('latin1')).toContain('MSA|AA|M1');
    await client.close();

    const res = await scrape(port);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const delta = (sample: string) => value(res.text, sample) - value(before, sample);
    expect(delta('carecoord_mllp_messages_received_total{listener="default"}')).toBe(4);
    expect(delta('carecoord_mllp_messages_acknowledged_total{listener="default",code="AA"}')).toBe(3);
    expect(delta('carecoord_mllp_messages_acknowledged_total{listener="default",code="AR"}')).toBe(1);
    expect(delta('carecoord_mllp_messages_acknowledged_total{listener="default",code="AE"}')).toBe(0);
    expect(res.text).toContain('# TYPE carecoord_processing_lag_seconds gauge');
    expect(res.text).toContain('carecoord_queue_depth{status="queued"}');
    expect(res.text).toContain('carecoord_sse_connections ');
    expect(res.text).toContain('process_cpu_seconds_total ');
    expect(res.text).toContain('process_resident_memory_bytes ');
    // Basics only: none of prom-client's other defaults.
    expect(res.text).not.toMatch(/nodejs_gc_duration|nodejs_active_handles|nodejs_version_info/);
    // No per-message labels: every carecoord_ sample is labelled by listener/code/status at most.
    for (const line of res.text.split('\n').filter((l) => l.startsWith('carecoord_'))) {
      expect(line).toMatch(/^carecoord_[a-z_]+(\{(listener|code|status|severity|channel|outcome)="[^"]*"(,(listener|code|status|severity|channel|outcome)="[^"]*")*\})? [-0-9.e+]+$/);
    }
  });

  it('reads queue depth and processing lag from the store while the processing thread is stopped', async () => {
    tp = await startTestPlatform(dialect, METRICS);
    const port = tp.platform.metricsPort!;
    await tp.platform.workers.stop();
    const client = await tp.connect();
    await client.send(adt('Q1', 'MRNQ1'));
    await client.send(adt('Q2', 'MRNQ2'));
    await client.close();
    await new Promise((r) => setTimeout(r, 1100));
    const { text } = await scrape(port);
    expect(value(text, 'carecoord_queue_depth{status="new"}')).toBe(2);
    expect(value(text, 'carecoord_queue_depth{status="queued"}')).toBe(0);
    expect(value(text, 'carecoord_queue_depth{status="failed"}')).toBe(0);
    expect(value(text, 'carecoord_processing_lag_seconds')).toBeGreaterThanOrEqual(1);
  });

  it('counts the alerts still to handle by status and severity', async () => {
    tp = await startTestPlatform(dialect, METRICS);
    const port = tp.platform.metricsPort!;
    const client = await tp.connect();
    await client.send(adt('AL1', 'MRNAL1'));
    await client.close();
    const db = tp.platform.store.db;
    const patient = await eventually(async () => (await db.selectFrom('patient').select('id').executeTakeFirst())?.id, 20_000, 'the patient');
    const pid = Number(patient);
    const before = (await scrape(port)).text;
    for (const over of [{ severity: 'critical' }, { severity: 'critical' }, { severity: 'low', status: 'acknowledged' }, { severity: 'high', status: 'resolved' }]) {
      await insertTestAlert(db, pid, over);
    }
    const text = (await scrape(port)).text;
    const grew = (series: string) => value(text, series) - value(before, series);
    expect(grew('carecoord_alerts{status="open",severity="critical"}')).toBe(2);
    expect(grew('carecoord_alerts{status="acknowledged",severity="low"}')).toBe(1);
    expect(text).not.toContain('status="resolved"');
  });

  it('shows the lag back at 0 once everything is processed, and the SSE gauge others set', async () => {
    tp = await startTestPlatform(dialect, METRICS);
    const port = tp.platform.metricsPort!;
    const client = await tp.connect();
    await client.send(adt('P1', 'MRNP1'));
    await client.close();
    const text = await eventually(async () => {
      const t = (await scrape(port)).text;
      return value(t, 'carecoord_queue_depth{status="new"}') + value(t, 'carecoord_queue_depth{status="queued"}') === 0 ? t : undefined;
    }, 20_000, 'an empty queue');
    expect(value(text, 'carecoord_processing_lag_seconds')).toBe(0);
    metrics.sseConnections.inc();
    metrics.sseConnections.inc();
    metrics.sseConnections.dec();
    expect(value((await scrape(port)).text, 'carecoord_sse_connections')).toBe(1);
    metrics.sseConnections.dec();
  });

  it('counts the open SSE streams of the running server, and NAKs by code', async () => {
    tp = await startTestPlatform(dialect, METRICS);
    const port = tp.platform.metricsPort!;
    await addUserWithPassword(tp.platform.store.db, 'coord1', ['coordinator']);
    const server: ApiServer = { url: `http://127.0.0.1:${tp.platform.httpPort}`, config: authConfig(), clock: { now: Date.now() }, breakGlassMs: 0, close: async () => {} };
    const before = (await scrape(port)).text;
    const client = await tp.connect();
    expect((await client.send(adt('N1', 'MRNN1', { facility: 'ELSEWHERE' }))).toString('latin1')).toContain('MSA|AR|N1');
    await client.close();
    const streams = [await SseClient.open(server, await signIn(server, 'coord1')), await SseClient.open(server, await signIn(server, 'coord1'))];
    for (const s of streams) await s.until((c) => c.of('ready').length === 1);
    const open = (await scrape(port)).text;
    expect(value(open, 'carecoord_sse_connections') - value(before, 'carecoord_sse_connections')).toBe(2);
    expect(value(open, 'carecoord_mllp_messages_acknowledged_total{listener="default",code="AR"}') - value(before, 'carecoord_mllp_messages_acknowledged_total{listener="default",code="AR"}')).toBe(1);
    for (const s of streams) s.close();
    await eventually(async () => value((await scrape(port)).text, 'carecoord_sse_connections') === value(before, 'carecoord_sse_connections'), 5_000, 'the streams closed');
  });
});

describe('where /metrics is served', () => {
  let tp: TestPlatform | undefined;

  afterEach(async () => {
    await tp?.stop();
    await tp?.tdb.cleanup();
    tp = undefined;
  });

  it('is off by default, and never on the public HTTP port', async () => {
    tp = await startTestPlatform('sqlite');
    expect(tp.platform.metricsPort).toBeUndefined();
    const res = await fetch(`http://127.0.0.1:${tp.platform.httpPort}/metrics`);
    expect(res.status).toBe(404);
  });

  it('serves only GET /metrics on its own port', async () => {
    tp = await startTestPlatform('sqlite', METRICS);
    const res = await fetch(`http://127.0.0.1:${tp.platform.metricsPort}/`);
    expect(res.status).toBe(404);
    const api = await fetch(`http://127.0.0.1:${tp.platform.metricsPort}/healthz`);
    expect(api.status).toBe(404);
  });
});
