/**
 * Let pending I/O callbacks (MLLP reads, commit results, ACK writes) run between chunks of worker
 * work: SQLite calls are synchronous, so without this a large pass would hold up every ACK.
 */
export function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
