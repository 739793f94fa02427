/**
 * Closed set of codec error codes, their HL7 table 0357 equivalents, and the one error class
 * the codec throws. Callers branch on `code`, never on `message`.
 */

/** Every reason the codec can refuse input. The value is the code itself. */
export const Hl7ErrorCode = {
  /** No bytes, or only segment separators. */
  EMPTY_INPUT: 'EMPTY_INPUT',
  /** The message does not start with an MSH segment (HL7 v2.5.1 §2.5.1: MSH is first). */
  MISSING_MSH: 'MISSING_MSH',
  /** MSH-1 is absent, alphanumeric, a control character, a space or non-ASCII (§2.5.4). */
  INVALID_FIELD_SEPARATOR: 'INVALID_FIELD_SEPARATOR',
  /** MSH-2 has fewer than 2 or more than 5 characters, duplicates, or unusable characters (§2.5.4). */
  INVALID_ENCODING_CHARACTERS: 'INVALID_ENCODING_CHARACTERS',
  /** A segment id is not three upper-case alphanumerics starting with a letter (§2.5.1). */
  INVALID_SEGMENT_ID: 'INVALID_SEGMENT_ID',
  /** NUL or another C0 control character (other than CR, LF, TAB) in the message content. */
  CONTROL_CHARACTER: 'CONTROL_CHARACTER',
  /** MSH-9 message code is empty. */
  MISSING_MESSAGE_TYPE: 'MISSING_MESSAGE_TYPE',
  /** MSH-12 version id is empty. */
  MISSING_VERSION: 'MISSING_VERSION',
  /** MSH-12 is not a published HL7 v2 version. */
  UNSUPPORTED_VERSION: 'UNSUPPORTED_VERSION',
  /** A second MSH, or a batch envelope segment (FHS/BHS/BTS/FTS), inside one message. */
  UNEXPECTED_SEGMENT: 'UNEXPECTED_SEGMENT',
  /** Batch envelope out of order: nested FHS/BHS, segments outside a message, data after FTS. */
  INVALID_BATCH: 'INVALID_BATCH',
  /** A charset name no decoder exists for (encodeHl7 only; decoding falls back with a warning). */
  UNSUPPORTED_CHARSET: 'UNSUPPORTED_CHARSET',
  /** A malformed terser path given to Hl7Message.get (a programming error). */
  INVALID_PATH: 'INVALID_PATH',
  /** Text that cannot be represented with the message delimiters (no escape character). */
  UNESCAPABLE_VALUE: 'UNESCAPABLE_VALUE',
  /** Anything unexpected inside the codec (a bug); readHl7 wraps such failures in this code. */
  INTERNAL: 'INTERNAL',
} as const;

export type Hl7ErrorCode = (typeof Hl7ErrorCode)[keyof typeof Hl7ErrorCode];

/** HL7 table 0357 (message error condition codes). 104 exists from v2.7. */
export const TABLE_0357 = {
  0: 'Message accepted',
  100: 'Segment sequence error',
  101: 'Required field missing',
  102: 'Data type error',
  103: 'Table value not found',
  104: 'Value too long',
  200: 'Unsupported message type',
  201: 'Unsupported event code',
  202: 'Unsupported processing id',
  203: 'Unsupported version id',
  204: 'Unknown key identifier',
  205: 'Duplicate key identifier',
  206: 'Application record locked',
  207: 'Application internal error',
} as const;

export type Hl7ErrorCodeNumber = keyof typeof TABLE_0357;

const TO_0357: Record<Hl7ErrorCode, Hl7ErrorCodeNumber> = {
  EMPTY_INPUT: 100,
  MISSING_MSH: 100,
  INVALID_FIELD_SEPARATOR: 102,
  INVALID_ENCODING_CHARACTERS: 102,
  INVALID_SEGMENT_ID: 100,
  CONTROL_CHARACTER: 102,
  MISSING_MESSAGE_TYPE: 101,
  MISSING_VERSION: 101,
  UNSUPPORTED_VERSION: 203,
  UNEXPECTED_SEGMENT: 100,
  INVALID_BATCH: 100,
  UNSUPPORTED_CHARSET: 207,
  INVALID_PATH: 207,
  UNESCAPABLE_VALUE: 207,
  INTERNAL: 207,
};

/** Table 0357 number and text for a codec error code, e.g. MISSING_MSH -> 100 "Segment sequence error". */
export function toTable0357(code: Hl7ErrorCode): { code: Hl7ErrorCodeNumber; text: string } {
  const n = TO_0357[code];
  return { code: n, text: TABLE_0357[n] };
}

/** Where in a message an error was found; numbers are 1-based as in HL7 ERR-2 (ERL). */
export interface Hl7ErrorLocation {
  segment: string;
  /** Occurrence of that segment id in the message (1 = first). */
  sequence?: number;
  field?: number;
  component?: number;
}

/** The only error the codec throws. `message` is a human-readable reason; `code` is for programs. */
export class Hl7Error extends Error {
  readonly code: Hl7ErrorCode;
  readonly location: Hl7ErrorLocation | undefined;

  constructor(code: Hl7ErrorCode, reason: string, location?: Hl7ErrorLocation) {
    super(reason);
    this.name = 'Hl7Error';
    this.code = code;
    this.location = location;
  }

  /** The table 0357 condition this error reports as in an ERR segment. */
  get table0357(): { code: Hl7ErrorCodeNumber; text: string } {
    return toTable0357(this.code);
  }
}
