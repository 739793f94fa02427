import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A usage error (or a lookup that found nothing): printed without a stack trace, exit code 2. */
export class CliError extends Error {
  readonly code = 'usage';
  /** Whether pointing at the usage text helps (a bad argument), or not (an id that does not exist). */
  readonly showUsageHint: boolean;

  constructor(message: string, options: { usageHint?: boolean } = {}) {
    super(message);
    this.showUsageHint = options.usageHint ?? true;
  }
}

/** parseArgs with usage errors turned into CliError. */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

/** The options every verb that opens the store shares. */
export const STORE_OPTIONS = {
  'data-dir': { type: 'string' },
  config: { type: 'string' },
} as const;
