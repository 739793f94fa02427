import { request, type IncomingMessage } from 'node:http';
import pino from 'pino';
import type { ApiClient, ApiServer } from '../access/testing.js';
import { API_T0 } from '../access/testing.js';
import { DEFAULT_BREAK_GLASS_MS } from '../access/policy.js';
import { buildHttpApp } from '../api/server.js';
import type { StreamRouteOptions } from '../api/routes/stream.js';
import { cookieName } from '../auth/http.js';
import { authConfig } from '../auth/testing.js';
import type { AuthConfig } from '../config.js';
import type { CareDb } from '../store/care/db.js';

/** Test helpers for GET /api/stream over real HTTP. Tests only. */

/** The real app (auth plugin, API routes, stream) on 127.0.0.1:0 with short real-time intervals; `signIn` works with it. */
export async function startStreamServer(db: CareDb, options: { auth?: Partial<AuthConfig>; realtime?: Pick<StreamRouteOptions, 'hub' | 'stream'> } = {}): Promise<ApiServer> {
  const config = authConfig({ mfaRequiredRoles: [], loginRatePerIp: 100_000, loginRatePerUser: 100_000, ...options.auth });
  const clock = { now: API_T0 };
  const realtime = { hub: { pollMs: 20, ...options.realtime?.hub }, stream: { heartbeatMs: 15_000, ...options.realtime?.stream } };
  const app = buildHttpApp(pino({ level: 'silent' }), { accepting: () => true, details: () => ({}) }, { db, config, onAuthEvent: () => {} },
    { now: () => clock.now, breakGlassMs: DEFAULT_BREAK_GLASS_MS, realtime });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, config, clock, breakGlassMs: DEFAULT_BREAK_GLASS_MS, close: () => app.close() };
}

export interface SseMessage {
  id: string | undefined;
  event: string;
  data: string;
  /** Parsed data (undefined when not JSON). */
  json: any;
}

/** A Server-Sent Events reader over node:http (so a test can stop reading), parsing as the WHATWG spec says (enough of it). */
export class SseClient {
  readonly messages: SseMessage[] = [];
  comments = 0;
  closed = false;
  status = 0;
  private buffer = '';
  private waiters: (() => void)[] = [];
  res: IncomingMessage | undefined;

  static async open(server: ApiServer, client: ApiClient, lastEventId?: number | string): Promise<SseClient> {
    const sse = new SseClient();
    const headers: Record<string, string> = { accept: 'text/event-stream', cookie: `${cookieName(server.config)}=${client.cookie}` };
    if (lastEventId !== undefined) headers['last-event-id'] = String(lastEventId);
    await new Promise<void>((resolve, reject) => {
      const req = request(`${server.url}/api/stream`, { headers }, (res) => {
        sse.res = res;
        sse.status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => sse.feed(chunk));
        res.on('close', () => { sse.closed = true; sse.wake(); });
        res.on('error', () => {});
        resolve();
      });
      req.on('error', (err) => { sse.closed = true; sse.wake(); reject(err); });
      req.end();
    });
    return sse;
  }

  /** The events of a kind (ready, reset, end, clinical-event, task...). */
  of(event: string): SseMessage[] {
    return this.messages.filter((m) => m.event === event);
  }

  /** Data events (not ready/reset/end). */
  get data(): SseMessage[] {
    return this.messages.filter((m) => !['ready', 'reset', 'end'].includes(m.event));
  }

  /** Wait until `check` holds (re-checked on every message and close), or fail after `ms`. */
  async until(check: (c: SseClient) => boolean, ms = 5_000, what = 'stream condition'): Promise<void> {
    const deadline = Date.now() + ms;
    while (!check(this)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages.map((m) => [m.id, m.event]))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 100));
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
  }

  close(): void {
    this.res?.destroy();
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let at: number;
    while ((at = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, at);
      this.buffer = this.buffer.slice(at + 2);
      let id: string | undefined;
      let event = 'message';
      const data: string[] = [];
      let fields = 0;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) { this.comments++; continue; }
        const colon = line.indexOf(':');
        const name = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        fields++;
        if (name === 'id') id = value;
        else if (name === 'event') event = value;
        else if (name === 'data') data.push(value);
      }
      if (data.length === 0) continue;
      const text = data.join('\n');
      let json: any;
      try { json = JSON.parse(text); } catch { json = undefined; }
      if (fields > 0) this.messages.push({ id, event, data: text, json });
    }
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
