import pino from 'pino';
import { startPlatform } from '../app.js';
import { loadConfig } from '../config.js';
import { parse } from './args.js';

/** `carecoord serve`: run the platform until SIGINT/SIGTERM, then stop in order. */
export async function runServe(args: string[]): Promise<number> {
  const { values } = parse(args, {
    'data-dir': { type: 'string' },
    'mllp-port': { type: 'string' },
    'mllp-host': { type: 'string' },
    'http-port': { type: 'string' },
    'http-host': { type: 'string' },
    config: { type: 'string' },
    'log-level': { type: 'string' },
  });
  const config = loadConfig(process.env, values);
  // Logs carry control ids, entry ids, sizes and peers; never message content (PHI).
  const logger = pino({ level: config.logLevel, base: { service: 'carecoord' } });
  const platform = await startPlatform(config, logger);
  logger.info({ mllpPorts: platform.mllpPorts, httpPort: platform.httpPort }, 'carecoord ready');
  await new Promise<void>((resolve) => {
    const onSignal = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  await platform.stop();
  logger.info('stopped');
  return 0;
}
