/**
 * The logging surface the transport needs; a pino logger satisfies it.
 *
 * Guarantee: src/mllp never passes message payload bytes (PHI) to the logger,
 * only sizes, counts, peer addresses, listener names and connection ids.
 */
export interface MllpLogger {
  debug(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

/** A logger that drops everything (for tools and tests that do not care). */
export const silentLogger: MllpLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** Error summary safe to log: name and code only, never the message (it may quote data). */
export function errorFields(err: unknown): Record<string, unknown> {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { errName: err.name, ...(typeof code === 'string' ? { errCode: code } : {}) };
  }
  return { errName: typeof err };
}
