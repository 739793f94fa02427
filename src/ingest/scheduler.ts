/** An inbox entry that is still open (queued, waiting for a retry, or parked). */
export interface OpenEntry {
  entry_id: number;
  patient_key: string | null;
  merge_key: string | null;
  status: string;
  next_attempt_at: number | null;
}

export interface Selection {
  /** Entries to start now, oldest first. */
  run: OpenEntry[];
  /** Earliest retry time among entries that wait for one (epoch ms), to set a wake-up timer. */
  nextWakeAt: number | null;
}

/**
 * Decide which open entries may start, preserving per-patient order: an entry runs only when no
 * older entry sharing one of its keys (patient key, or merge key for A40-style merges) is running,
 * waiting for a retry, parked as failed, or itself blocked. Entries without a key run freely.
 * Pure: `open` must be sorted by entry_id; `busy` are entries in flight.
 */
export function selectRunnable(
  open: readonly OpenEntry[],
  busy: ReadonlyMap<number, readonly string[]>,
  now: number,
  capacity: number,
): Selection {
  const blocked = new Set<string>();
  for (const keys of busy.values()) for (const k of keys) blocked.add(k);
  const run: OpenEntry[] = [];
  let nextWakeAt: number | null = null;
  for (const entry of open) {
    const keys = entryKeys(entry);
    const isBlocked = busy.has(entry.entry_id) || keys.some((k) => blocked.has(k));
    const waiting = entry.status === 'queued' && entry.next_attempt_at !== null && entry.next_attempt_at > now;
    if (waiting && !isBlocked) nextWakeAt = Math.min(nextWakeAt ?? Infinity, entry.next_attempt_at!);
    if (isBlocked || entry.status !== 'queued' || waiting) {
      for (const k of keys) blocked.add(k);
      continue;
    }
    if (run.length >= capacity) break;
    run.push(entry);
    for (const k of keys) blocked.add(k);
  }
  return { run, nextWakeAt };
}

/** The ordering keys of an entry (empty when it names no patient). */
export function entryKeys(entry: Pick<OpenEntry, 'patient_key' | 'merge_key'>): string[] {
  const keys: string[] = [];
  if (entry.patient_key) keys.push(entry.patient_key);
  if (entry.merge_key && entry.merge_key !== entry.patient_key) keys.push(entry.merge_key);
  return keys;
}
