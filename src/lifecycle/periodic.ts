/**
 * A background job run every `intervalMs` (and once at start), one pass at a time: a pass still
 * running when the next falls due is not doubled, runOnce() during a pass returns that pass, and
 * stop() waits for it. The timer is unref'd: it never keeps the process alive on its own.
 */
export class PeriodicJob<T> {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<T> | undefined;

  /** `pass` must not reject: it reports its own failures (by code, no PHI) and resolves. */
  constructor(private readonly pass: () => Promise<T>, private readonly intervalMs: number) {}

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.runOnce(), this.intervalMs);
    this.#timer.unref();
    void this.runOnce();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** Run a pass now, or join the one running. */
  runOnce(): Promise<T> {
    this.#running ??= this.pass().finally(() => (this.#running = undefined));
    return this.#running;
  }
}
