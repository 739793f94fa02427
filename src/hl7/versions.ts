/** Published HL7 v2 version ids (HL7 table 0104), oldest first. */
export const HL7_VERSIONS = ['2.1', '2.2', '2.3', '2.3.1', '2.4', '2.5', '2.5.1', '2.6', '2.7', '2.7.1', '2.8', '2.8.1', '2.8.2', '2.9'] as const;

export type Hl7Version = (typeof HL7_VERSIONS)[number];

/** True when `v` is exactly one of HL7_VERSIONS. */
export function isKnownVersion(v: string): v is Hl7Version {
  return (HL7_VERSIONS as readonly string[]).includes(v);
}

/**
 * Compare a version id to another known one: negative when older, 0 when equal, positive when newer.
 * Unknown ids compare as the newest version (so a reader applies current rules to them).
 */
export function compareVersion(v: string, to: Hl7Version): number {
  const i = (HL7_VERSIONS as readonly string[]).indexOf(v);
  const j = HL7_VERSIONS.indexOf(to);
  return (i < 0 ? HL7_VERSIONS.length : i) - j;
}
