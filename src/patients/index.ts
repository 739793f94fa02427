export * from './types.js';
export { patientFromPid, identifiersFrom, identifierOf, mergeDemographics, sameDemographics, canonicalJson, calendarDate, phoneDigits, lastFourDigits } from './from-pid.js';
