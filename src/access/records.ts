/** What the access layer returns: plain records, times in epoch ms (the HTTP layer formats them). */

export interface PatientSummary {
  id: number;
  /** active | deceased | merged | staging */
  status: string;
  familyName: string | null;
  givenName: string | null;
  middleName: string | null;
  birthDate: string | null;
  sex: string | null;
  language: string | null;
  addressLine: string | null;
  city: string | null;
  state: string | null;
  postcode: string | null;
  phone: string | null;
  deceasedAt: number | null;
}

export interface IdentifierRecord {
  authority: string;
  value: string;
  typeCode: string | null;
  facility: string | null;
}

export interface EncounterRecord {
  id: number;
  facility: string;
  visitNumber: string | null;
  patientClass: string | null;
  status: string;
  admittedAt: number | null;
  dischargedAt: number | null;
  location: string | null;
  dischargeDisposition: string | null;
}

export interface EpisodeRecord {
  id: number;
  type: string;
  status: string;
  goal: string | null;
  startAt: number;
  endAt: number | null;
}

export interface TeamMemberRecord {
  episodeId: number;
  userId: number;
  username: string;
  displayName: string;
  role: string;
  isPrimary: boolean;
  activeFrom: number;
}

export interface PlanRecord {
  episodeId: number;
  goals: { id: number; description: string; targetDate: string | null; status: string }[];
  interventions: { id: number; description: string; discipline: string | null; status: string }[];
}

export interface TaskRecord {
  id: number;
  patientId: number;
  episodeId: number | null;
  title: string;
  status: string;
  priority: string;
  dueAt: number | null;
  assigneeUserId: number | null;
  assigneeRole: string | null;
  createdAt: number;
  completedAt: number | null;
  completedBy: string | null;
  completionNote: string | null;
}

export interface ObservationRecord {
  id: number;
  code: string | null;
  codeSystem: string | null;
  codeText: string | null;
  value: string | null;
  valueNum: number | null;
  valueComparator: string | null;
  units: string | null;
  referenceRange: string | null;
  interpretation: string | null;
  resultStatus: string | null;
  observedAt: number;
}

export interface EventRecord {
  id: number;
  type: string;
  occurredAt: number;
  encounterId: number | null;
  facility: string | null;
  payload: Record<string, unknown>;
}

export type TimelineItem = { kind: 'event'; at: number; event: EventRecord } | { kind: 'task'; at: number; task: TaskRecord };

export interface PanelEntry {
  patient: Pick<PatientSummary, 'id' | 'status' | 'familyName' | 'givenName' | 'birthDate' | 'sex'>;
  episode: { id: number; type: string; status: string; startAt: number };
  myRole: string;
  openTasks: number;
  lastDischargeAt: number | null;
}

export interface BreakGlassGrant {
  id: number;
  userId: number;
  username: string;
  patientId: number;
  reason: string;
  grantedAt: number;
  expiresAt: number;
  source: string;
  reviewedAt: number | null;
  reviewedBy: string | null;
  /** appropriate | inappropriate, once reviewed. */
  reviewOutcome: string | null;
  reviewNote: string | null;
}
