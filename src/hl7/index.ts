/**
 * carecoord HL7 v2 codec: pure functions and immutable values, no I/O. See README.md in this folder.
 */
export { Hl7Error, Hl7ErrorCode, TABLE_0357, toTable0357, type Hl7ErrorCodeNumber, type Hl7ErrorLocation } from './errors.js';
export { STANDARD_DELIMITERS, encodingCharacters, type Delimiters } from './delimiters.js';
export { escapeHl7, unescapeHl7 } from './escape.js';
export { Hl7Segment, Hl7Field, Hl7Repetition } from './segment.js';
export { Hl7Message } from './message.js';
export { parsePath, type Hl7Path } from './path.js';
export { parseHl7 } from './parse.js';
export { decodeHl7, encodeHl7, resolveCharset, sniffCharset, type DecodedHl7 } from './charset.js';
export { readHl7, type ReadResult } from './read.js';
export { readLenientHeader, type LenientHeader } from './lenient.js';
export { splitBatch, type BatchSplit, type BatchCounts } from './batch.js';
export { buildAck, shouldSendAccept, isEnhancedMode, type AckInput, type AckError } from './ack.js';
export { encodeField, encodeSegment, encodeMessage, type FieldValue, type RepetitionValue, type ComponentValue, type RawValue, type SegmentValue } from './encode.js';
export { parseHl7Timestamp, formatHl7Timestamp, type Hl7Timestamp, type Hl7Precision } from './timestamp.js';
export { HL7_VERSIONS, isKnownVersion, type Hl7Version } from './versions.js';
export * from './accessors/datatypes.js';
export * from './accessors/control.js';
export * from './accessors/patient.js';
export * from './accessors/visit.js';
export * from './accessors/observation.js';
export * from './accessors/clinical.js';
