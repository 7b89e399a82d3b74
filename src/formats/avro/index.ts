// The Avro format layer: .avsc and .avdl → model, Parsing Canonical Form and fingerprints.
export { parseAvsc } from './avsc.js';
export { parseJsonWithPositions, escapePointerToken } from './json-positions.js';
export type { JsonLocation, JsonParseResult, JsonProblem } from './json-positions.js';
export { isValidAvroName, isValidAvroNamespace, AVRO_PRIMITIVES } from './model-builder.js';
export { parseAvdl, avdlToJson } from './avdl.js';
export type { AvdlOptions, AvroImportLoader } from './avdl.js';
export { toCanonicalForm, canonicalFormOfText, crc64Avro, fingerprint64, fingerprint64Hex, CanonicalFormError } from './canonical.js';
export { locateAvroPointer } from './locate.js';
