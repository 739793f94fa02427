import { describe, expect, it } from 'vitest';
import { PeriodicJob } from './periodic.js';

/** A pass that stays open until released, counting how often it started. */
function gatedPass() {
  let started = 0;
  let release: (() => void) | undefined;
  const pass = () => {
    started += 1;
    return new Promise<number>((resolve) => (release = () => resolve(started)));
  };
  return { pass, started: () => started, release: () => release?.() };
}

describe('PeriodicJob', () => {
  it('runs a pass at start, and runOnce during a pass joins it instead of starting another', async () => {
    const g = gatedPass();
    const job = new PeriodicJob(g.pass, 60_000);
    job.start();
    expect(g.started()).toBe(1);
    const joined = job.runOnce();
    expect(g.started()).toBe(1);
    g.release();
    expect(await joined).toBe(1);
    // The pass ended: the next runOnce starts a new one.
    const next = job.runOnce();
    expect(g.started()).toBe(2);
    g.release();
    expect(await next).toBe(2);
    await job.stop();
  });

  it('stop waits for the pass in progress, and no pass starts after it', async () => {
    const g = gatedPass();
    const job = new PeriodicJob(g.pass, 5);
    job.start();
    let stopped = false;
    const stopping = job.stop().then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBe(false);
    g.release();
    await stopping;
    expect(stopped).toBe(true);
    await new Promise((r) => setTimeout(r, 30));
    expect(g.started()).toBe(1);
  });

  it('runs again every interval', async () => {
    let runs = 0;
    const job = new PeriodicJob(async () => ++runs, 5);
    job.start();
    for (let waited = 0; runs < 3 && waited < 5000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    await job.stop();
    expect(runs).toBeGreaterThanOrEqual(3);
  });
});
