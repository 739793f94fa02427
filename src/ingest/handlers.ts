import type { Kysely } from 'kysely';
import type { Hl7Message } from '../hl7/index.js';
import type { Database } from '../store/schema.js';

/** What a handler gets: the parsed message and where it came from. */
export interface HandlerInput {
  entryId: number;
  receivedAt: number;
  message: Hl7Message;
  raw: Buffer;
}

/**
 * Applies one message's effects through `trx`, the transaction that also marks the entry processed:
 * effects and mark commit together or not at all. Throw IngestError to fail (rolled back, retried).
 */
export interface MessageHandler {
  readonly name: string;
  handle(trx: Kysely<Database>, input: HandlerInput): Promise<void>;
}

/**
 * Runs after a message's handler, in the same savepoint (so its writes commit with the message's
 * effects and processed mark, or not at all): the alert engine (src/alerts) is one. Observers run in
 * registration order, also when the handler found the message already applied (a reprocess): they
 * must be idempotent. Throwing fails the message like a handler error.
 */
export interface MessageObserver {
  readonly name: string;
  afterMessage(trx: Kysely<Database>, input: HandlerInput): Promise<void>;
}

/**
 * Routes by MSH-9: an exact 'ADT^A01' registration wins over a 'ADT^*' one. Types without a handler
 * are marked unhandled (acknowledged, visible to operators, reprocessable once a handler exists).
 */
export class HandlerRegistry {
  readonly #handlers = new Map<string, MessageHandler>();
  readonly #observers: MessageObserver[] = [];

  register(types: readonly string[], handler: MessageHandler): this {
    for (const type of types) {
      const key = type.toUpperCase();
      if (this.#handlers.has(key)) throw new Error(`a handler for ${key} is already registered`);
      this.#handlers.set(key, handler);
    }
    return this;
  }

  /** Run `observer` after every handled message (explicit registration: see ingest/default-handlers.ts). */
  observe(observer: MessageObserver): this {
    this.#observers.push(observer);
    return this;
  }

  get observers(): readonly MessageObserver[] {
    return this.#observers;
  }

  resolve(code: string, trigger: string): MessageHandler | undefined {
    const c = code.toUpperCase();
    return this.#handlers.get(`${c}^${trigger.toUpperCase()}`) ?? this.#handlers.get(`${c}^*`);
  }

  get types(): string[] {
    return [...this.#handlers.keys()].sort();
  }
}
