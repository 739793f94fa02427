/**
 * Let pending I/O callbacks run between chunks of worker work. SQLite calls are synchronous: when the
 * pool runs on the MLLP thread (handlers given in-process), a large pass would otherwise hold up every
 * ACK; on the processing thread it keeps 'notify' and 'stop' messages flowing.
 */
export function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
