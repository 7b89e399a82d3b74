// The registry contract shared by the HTTP client and the embedded store, so `check`, `register` and
// `publish` work the same against a remote Confluent-compatible registry and the local one. Error codes
// and message texts are the registry's own (io.confluent.kafka.schemaregistry.rest.exceptions.Errors),
// because users search for them and clients branch on them.
import { SchemactlError, EXIT } from '../errors.js';
import type { CompatMessage, CompatRequest, CompatResult } from '../compat/types.js';
import { LEVELS as COMPATIBILITY_LEVELS } from '../compat/levels.js';
import type { CompatibilityLevel } from '../compat/levels.js';

export type SchemaType = 'AVRO' | 'PROTOBUF' | 'JSON';
export const SCHEMA_TYPES: readonly SchemaType[] = ['AVRO', 'PROTOBUF', 'JSON'];

// One list of levels for the whole tool: the pure compat layer owns it, the registry re-exports it.
export { COMPATIBILITY_LEVELS };
export type { CompatibilityLevel };

export const MODES = ['READWRITE', 'READONLY', 'READONLY_OVERRIDE', 'IMPORT'] as const;
export type Mode = (typeof MODES)[number];

/** A reference from one schema to another registered one (`name` is what the schema imports). */
export interface SchemaReference {
  name: string;
  subject: string;
  version: number;
}

/** What a caller submits: the registration / lookup / compatibility request body. */
export interface SchemaInput {
  schema: string;
  /** AVRO when omitted, as the registry assumes */
  schemaType?: SchemaType;
  references?: SchemaReference[];
}

/** One registered version of a subject. */
export interface SubjectVersion {
  subject: string;
  version: number;
  id: number;
  schemaType: SchemaType;
  schema: string;
  references: SchemaReference[];
  /** only reported by the embedded store; the REST API does not expose it on this shape */
  deleted?: boolean;
}

export interface SchemaById {
  schema: string;
  schemaType: SchemaType;
  references: SchemaReference[];
}

export interface RegisterResult {
  id: number;
  /** the embedded store always knows it; a remote registry may not send it */
  version?: number;
}

export interface CompatibilityResult {
  isCompatible: boolean;
  /** the registry's `messages` strings (present when verbose) */
  messages: string[];
  /** structured findings, only when the check ran in-process */
  details?: CompatMessage[];
}

export interface ConfigResult {
  compatibilityLevel: CompatibilityLevel;
  normalize?: boolean;
}

export interface ConfigUpdate {
  compatibility?: CompatibilityLevel;
  normalize?: boolean;
}

export type VersionRef = number | 'latest';

/** The operations schemactl needs; implemented by HttpRegistryClient and EmbeddedRegistry. */
export interface Registry {
  listSubjects(opts?: { deleted?: boolean }): Promise<string[]>;
  getVersions(subject: string, opts?: { deleted?: boolean }): Promise<number[]>;
  getVersion(subject: string, version: VersionRef, opts?: { deleted?: boolean }): Promise<SubjectVersion>;
  getLatest(subject: string): Promise<SubjectVersion>;
  getById(id: number): Promise<SchemaById>;
  getSubjectsById(id: number, opts?: { deleted?: boolean }): Promise<string[]>;
  getVersionsById(id: number, opts?: { deleted?: boolean }): Promise<{ subject: string; version: number }[]>;
  getReferencedBy(subject: string, version: VersionRef): Promise<number[]>;
  register(subject: string, input: SchemaInput, opts?: { normalize?: boolean }): Promise<RegisterResult>;
  lookup(subject: string, input: SchemaInput, opts?: { normalize?: boolean; deleted?: boolean }): Promise<SubjectVersion>;
  /** `version` undefined: against the versions registration would use (subject level and scope) */
  testCompatibility(
    subject: string,
    version: VersionRef | undefined,
    input: SchemaInput,
    opts?: { verbose?: boolean; normalize?: boolean },
  ): Promise<CompatibilityResult>;
  getConfig(subject?: string, opts?: { defaultToGlobal?: boolean }): Promise<ConfigResult>;
  setConfig(subject: string | undefined, update: ConfigUpdate): Promise<ConfigUpdate>;
  deleteConfig(subject?: string): Promise<ConfigResult>;
  getMode(subject?: string, opts?: { defaultToGlobal?: boolean }): Promise<Mode>;
  setMode(subject: string | undefined, mode: Mode): Promise<Mode>;
  deleteMode(subject?: string): Promise<Mode>;
  deleteSubject(subject: string, opts?: { permanent?: boolean }): Promise<number[]>;
  deleteVersion(subject: string, version: VersionRef, opts?: { permanent?: boolean }): Promise<number>;
  close(): Promise<void>;
}

/** The compatibility engine's entry point (src/compat), injected so the registry can run without it. */
export type CompatibilityChecker = (req: CompatRequest) => Promise<CompatResult>;

/** An error answer from a registry: HTTP status plus the registry's `error_code` and `message`. */
export class RegistryError extends SchemactlError {
  readonly status: number;
  readonly errorCode: number;
  constructor(status: number, errorCode: number, message: string, cause?: unknown) {
    // a 5xx is the registry's problem, not the user's input: retriable, and "unreachable" for the CLI
    super(`registry-${errorCode}`, message, {
      exitCode: status >= 500 ? EXIT.UNREACHABLE : EXIT.USAGE,
      retriable: status >= 500,
      cause,
    });
    this.status = status;
    this.errorCode = errorCode;
  }
  toJSON(): { error_code: number; message: string } {
    return { error_code: this.errorCode, message: this.message };
  }
}

/** The registry's error catalogue; texts verbatim (including the missing space after "deleted."). */
export const errors = {
  subjectNotFound: (s: string) => new RegistryError(404, 40401, `Subject '${s}' not found.`),
  versionNotFound: (v: number | string) => new RegistryError(404, 40402, `Version ${v} not found.`),
  schemaNotFound: (id?: number) =>
    new RegistryError(404, 40403, id === undefined ? 'Schema not found' : `Schema ${id} not found`),
  subjectSoftDeleted: (s: string) =>
    new RegistryError(404, 40404, `Subject '${s}' was soft deleted.Set permanent=true to delete permanently`),
  subjectNotSoftDeleted: (s: string) =>
    new RegistryError(404, 40405, `Subject '${s}' was not deleted first before being permanently deleted`),
  versionSoftDeleted: (s: string, v: number) =>
    new RegistryError(404, 40406, `Subject '${s}' Version ${v} was soft deleted.Set permanent=true to delete permanently`),
  versionNotSoftDeleted: (s: string, v: number) =>
    new RegistryError(404, 40407, `Subject '${s}' Version ${v} was not deleted first before being permanently deleted`),
  subjectConfigNotConfigured: (s: string) =>
    new RegistryError(404, 40408, `Subject '${s}' does not have subject-level compatibility configured`),
  subjectModeNotConfigured: (s: string) =>
    new RegistryError(404, 40409, `Subject '${s}' does not have subject-level mode configured`),
  incompatible: (s: string, messages: string[]) =>
    // error_code 409, as the registry answers (RestIncompatibleSchemaException); 40901 is not a code it uses
    new RegistryError(
      409,
      409,
      `Schema being registered is incompatible with an earlier schema for subject "${s}", details: [${messages.join(', ')}]`,
    ),
  invalidSchema: (message: string) => new RegistryError(422, 42201, message),
  invalidVersion: (v: string) =>
    new RegistryError(
      422,
      42202,
      `The specified version '${v}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
    ),
  invalidCompatibilityLevel: () =>
    new RegistryError(
      422,
      42203,
      'Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive',
    ),
  invalidMode: (m: string) =>
    new RegistryError(422, 42204, `Invalid mode ${m}. Valid values are READWRITE, READONLY, READONLY_OVERRIDE, IMPORT`),
  operationNotPermitted: (message: string) => new RegistryError(422, 42205, message),
  referenceExists: (message: string) => new RegistryError(422, 42206, message),
  invalidSubject: (s: string) => new RegistryError(422, 42208, `Invalid subject ${s}`),
  store: (message: string, cause?: unknown) => new RegistryError(500, 50001, message, cause),
};

export function parseVersionRef(raw: string): VersionRef {
  if (raw === 'latest' || raw === '-1') return 'latest';
  if (/^[0-9]{1,10}$/.test(raw)) {
    const n = Number(raw);
    if (n >= 1 && n <= 2 ** 31 - 1) return n;
  }
  throw errors.invalidVersion(raw);
}

export function parseCompatibilityLevel(raw: unknown): CompatibilityLevel {
  const up = typeof raw === 'string' ? raw.toUpperCase() : '';
  const found = COMPATIBILITY_LEVELS.find((l) => l === up);
  if (!found) throw errors.invalidCompatibilityLevel();
  return found;
}

export function parseMode(raw: unknown): Mode {
  const up = typeof raw === 'string' ? raw.toUpperCase() : '';
  const found = MODES.find((m) => m === up);
  if (!found) throw errors.invalidMode(String(raw));
  return found;
}

export function parseSchemaType(raw: unknown): SchemaType {
  if (raw === undefined || raw === null || raw === '') return 'AVRO';
  const up = typeof raw === 'string' ? raw.toUpperCase() : '';
  const found = SCHEMA_TYPES.find((t) => t === up);
  if (!found) throw errors.invalidSchema(`Invalid schema type ${String(raw)}`);
  return found;
}
