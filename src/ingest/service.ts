import type { Logger } from 'pino';
import type { LogAppender } from '../store/log-appender.js';
import type { MllpConnectionInfo, MllpHandler } from '../mllp/index.js';
import { decideFrame, decideOversize, type AckIdSource, type FrameContext } from './decide.js';
import { Intake } from './intake.js';
import { metrics } from '../metrics/index.js';

export interface ListenerPolicy {
  name: string;
  allowedFacilities: readonly string[];
  maxMessageBytes: number;
}

/** ACK control ids: 'CC' + time + counter, unique across restarts, at most 20 characters (MSH-10 is ST(20) up to v2.6). */
export function ackIdSource(now: () => number = Date.now): AckIdSource {
  let seq = 0;
  return () => `CC${now().toString(36).toUpperCase()}${(seq++ % 1_679_616).toString(36).toUpperCase().padStart(4, '0')}`;
}

/**
 * The intake side of carecoord for the MLLP listeners: decides each frame (parse, validate, build
 * the ACK), hands it to the group-committing Intake and returns the reply once it is durable.
 */
export class IngestService {
  readonly intake: Intake;
  readonly #nextAckId: AckIdSource;

  constructor(
    appender: { append: LogAppender; pipelined: boolean },
    private readonly logger: Logger,
    private readonly identity: { application: string; facility: string },
    onCommitted: () => void,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.intake = new Intake(appender.append, appender.pipelined, logger, onCommitted);
    this.#nextAckId = ackIdSource(() => this.clock().getTime());
  }

  /** The MLLP handler for one listener. */
  handlerFor(policy: ListenerPolicy): MllpHandler {
    const context = (info: MllpConnectionInfo): FrameContext => ({
      listener: policy.name,
      peer: `${info.remoteAddress}:${info.remotePort}`,
      allowedFacilities: policy.allowedFacilities,
      application: this.identity.application,
      facility: this.identity.facility,
    });
    const received = metrics.receivedCounter(policy.name);
    return {
      onFrame: (payload, info) => {
        const decision = decideFrame(payload, context(info), this.clock(), this.#nextAckId);
        received.inc(decision.messages.length);
        return this.intake.submit(decision);
      },
      onOversize: (head, bytes, info) => {
        this.logger.warn({ listener: policy.name, bytes, connectionId: info.connectionId }, 'oversize message refused');
        received.inc();
        return this.intake.submit(decideOversize(head, bytes, policy.maxMessageBytes, context(info), this.clock(), this.#nextAckId));
      },
    };
  }
}
