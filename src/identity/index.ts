/**
 * carecoord patient matching: pure functions over plain data, no I/O. See README.md in this folder.
 */
export * from './types.js';
export { normalizePerson } from './normalize.js';
export { blockingKeys } from './blocking.js';
export { compare } from './compare.js';
export { decide } from './decide.js';
export { defaultMatchModel } from './model.js';
export { estimateModel, estimateU, estimateTermFrequencies, type EstimateOptions, type EstimateUOptions, type TermFrequencyOptions } from './estimate.js';
export { validateModel, overrideModel, type MatchModelOverride } from './validate.js';
export { IdentityError, IdentityErrorCode } from './errors.js';
export { LEVELS } from './levels.js';
export { jaro, jaroWinkler, jaroWinklerAtLeast } from './jaro-winkler.js';
export { soundex } from './soundex.js';
export { nysiis } from './nysiis.js';
export { nicknameGroups, formalNamesOf } from './nicknames.js';
