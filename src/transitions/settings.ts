/**
 * The reaction's settings from the environment of the process that runs it (the processing thread
 * reads them once when it registers its reactions, as CARECOORD_MATCH_MODEL):
 * - CARECOORD_TIME_ZONE: the agency's IANA zone; business days and due days are its local days (UTC).
 * - CARECOORD_HOLIDAYS_FILE: a JSON or CSV list of holiday dates replacing the US federal holidays.
 * - CARECOORD_TOC_COMPLEXITY: moderate (14-day visit, CPT 99495; default) or high (7 days, 99496).
 * A bad value fails fast with a TransitionError naming the variable.
 */
import { isTimeZone, listedCalendar, usFederalCalendar } from './calendar.js';
import { TransitionError, TransitionErrorCode } from './errors.js';
import { loadHolidayFile } from './holiday-file.js';
import { COMPLEXITIES, DEFAULT_POLICY, type Complexity } from './plan.js';
import type { TransitionOptions } from './reaction.js';

export function transitionOptionsFromEnv(env: Record<string, string | undefined>): TransitionOptions {
  const timeZone = env.CARECOORD_TIME_ZONE?.trim() || 'UTC';
  if (!isTimeZone(timeZone)) throw new TransitionError(TransitionErrorCode.InvalidTimeZone, `CARECOORD_TIME_ZONE: ${JSON.stringify(timeZone)} is not an IANA time zone`);
  const file = env.CARECOORD_HOLIDAYS_FILE?.trim();
  const calendar = file ? listedCalendar(loadHolidayFile(file), timeZone) : usFederalCalendar(timeZone);
  const complexity = (env.CARECOORD_TOC_COMPLEXITY?.trim() || DEFAULT_POLICY.complexity) as Complexity;
  if (!COMPLEXITIES.includes(complexity)) throw new TransitionError(TransitionErrorCode.InvalidSetting, `CARECOORD_TOC_COMPLEXITY: expected ${COMPLEXITIES.join(' or ')}`);
  return { calendar, policy: { ...DEFAULT_POLICY, complexity } };
}
