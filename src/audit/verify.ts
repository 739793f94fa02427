import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { checkChain, type ChainProblem } from './chain.js';
import { inSnapshot, readHead, recordsAfter } from './store.js';

export interface AuditVerdict {
  intact: boolean;
  /** The first entry that does not verify, and why (absent when intact). */
  problem?: ChainProblem;
  /** Entries verified (up to the problem). */
  checked: number;
  /** The chain head: an operator may note it and pin it later (`pins`) against a rewrite of the whole chain. */
  head: { id: number; hash: string };
  /** The retention anchor: the last entry removed by retention (0 and the genesis hash when none). */
  anchor: { id: number; hash: string };
}

export interface VerifyOptions {
  /** Hashes noted earlier (entry id -> hash): entries still present must still have them. */
  pins?: ReadonlyMap<number, string>;
  pageSize?: number;
}

/**
 * Walk the whole audit chain, from the retention anchor to the head, in one consistent snapshot (so
 * appends running meanwhile are neither missed nor taken for insertions), a page at a time. Reports the
 * first entry altered, removed, inserted or out of place (see chain.ts). Reads only: takes no lock.
 */
export function verifyAuditChain(db: Kysely<Database>, options: VerifyOptions = {}): Promise<AuditVerdict> {
  const pageSize = options.pageSize ?? 2000;
  return inSnapshot(db, async (trx) => {
    const head = await readHead(trx);
    const check = checkChain({ anchorId: head.anchorId, anchorHash: head.anchorHash, headId: head.lastId, headHash: head.lastHash, pins: options.pins });
    let problem: ChainProblem | undefined;
    for (let after = Number.MIN_SAFE_INTEGER; problem === undefined;) {
      const page = await recordsAfter(trx, after, pageSize);
      for (const r of page) if ((problem = check.push(r))) break;
      if (page.length < pageSize) break;
      after = page[page.length - 1]!.id;
    }
    problem ??= check.end();
    return {
      intact: problem === undefined, ...(problem ? { problem } : {}), checked: check.checked,
      head: { id: head.lastId, hash: head.lastHash }, anchor: { id: head.anchorId, hash: head.anchorHash },
    };
  });
}
