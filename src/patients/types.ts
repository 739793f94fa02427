/**
 * The patient as carecoord keeps it: plain data, no I/O. Demographics come from PID (HL7 v2.5.1 §3.4.2)
 * and are stored as JSON beside a few flat columns the matcher and the panel read.
 */

export interface PersonName {
  family: string;
  given: string;
  middle: string;
  prefix: string;
  suffix: string;
  /** HL7 table 0200 name type (L legal, A alias, M maiden, ...); '' when not sent. */
  type: string;
}

export interface Address {
  line: string;
  other: string;
  city: string;
  state: string;
  postcode: string;
  country: string;
  /** HL7 table 0190 (H home, M mailing, ...). */
  type: string;
}

export interface Phone {
  /** Digits only (a leading + kept for international numbers). */
  number: string;
  /** HL7 table 0201 use (PRN primary, ORN, WPN work, NET email...). */
  use: string;
  kind: 'home' | 'business';
}

export interface Demographics {
  /** The first is the primary (legal when the sender marks one). */
  names: PersonName[];
  /** 'YYYY-MM-DD', or 'YYYY' / 'YYYY-MM' when the sender's precision was coarser. */
  birthDate?: string;
  /** HL7 table 0001: F M O U A N. */
  sex?: string;
  addresses: Address[];
  phones: Phone[];
  language?: string;
  maritalStatus?: string;
  races?: string[];
  ethnicGroups?: string[];
  /** The last four digits of the SSN only: the full number is dropped on receipt. */
  ssnLast4?: string;
  deceased?: boolean;
  /** Epoch ms of death (PID-29) when sent. */
  deceasedAt?: number;
  /** When the sender recorded these demographics (epoch ms, event time): an older update never overwrites a newer one. */
  asOf?: number;
}

/** A patient identifier as stored: unique per assigning authority. */
export interface PatientIdentifier {
  value: string;
  /** CX.4 assigning authority, else CX.6 assigning facility, else the sending facility (MSH-4). */
  authority: string;
  /** HL7 table 0203 identifier type (MR, PI, PT, AN...). */
  typeCode: string;
  facility: string;
}

/** What one message says about its patient. */
export interface IncomingPatient {
  identifiers: PatientIdentifier[];
  demographics: Demographics;
}

export type PatientStatus = 'active' | 'deceased' | 'merged' | 'staging';
