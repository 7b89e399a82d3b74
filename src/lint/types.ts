// Inputs of the lint engine. The config loader (src/config) produces these; the engine only reads
// them, so it stays free of file and YAML concerns.
import type { ParseProblem, SchemaDocument, SourceRange } from '../model/types.js';
import type { NonExplicitFormat, RuleSeverity } from './rule.js';

export interface RuleSetting {
  severity: RuleSeverity;
  /** options as written; merged over the rule's defaultOptions by the engine */
  options?: Record<string, unknown>;
}

export interface OverrideSetting {
  /** picomatch globs, matched against the file path relative to the config directory */
  files?: string[];
  /**
   * symbol patterns (`com.acme.Legacy.*`, `com.acme.OrderPlaced.status`) or path-style selectors
   * (`legacy.avsc#/fields/3`); when present, the override only applies to findings on those symbols
   */
  symbols?: string[];
  rules: Record<string, RuleSetting>;
}

export interface StreamSchemaRef {
  /** the reference as written in the catalog (`a.proto#pkg.Msg`) */
  ref: string;
  /** the file, in the same form as LintTarget.file */
  file: string;
  /** the `#pkg.Message` selector, without the `#` */
  selector?: string;
  loc?: SourceRange;
}

export interface StreamSetting {
  topic: string;
  kind: 'store' | 'stage';
  schemas: StreamSchemaRef[];
  /** display path of the catalog file and range of the stream entry */
  catalogFile?: string;
  catalogLoc?: SourceRange;
  /** `schema_type:` from the catalog */
  schemaType?: 'AVRO' | 'PROTOBUF' | 'JSON';
}

export interface LintSettings {
  rules: Record<string, RuleSetting>;
  overrides: OverrideSetting[];
  streams: StreamSetting[];
  /** report `schemactl-disable` directives and attributes that suppressed nothing */
  reportUnusedDisables?: boolean;
}

/** One file to lint, already read and parsed. */
export interface LintTarget {
  /** path shown in diagnostics (relative to the working directory when inside it) */
  file: string;
  /** path relative to the config directory, posix separators: what `overrides.files` globs see */
  configRelative?: string;
  document?: SchemaDocument;
  problems: ParseProblem[];
  /** set for JSON Schema, JSON samples, text: files that are not an explicit schema format */
  nonExplicit?: NonExplicitFormat;
  /** false when the target was only loaded for a stream check and must not get per-file findings */
  report?: boolean;
}
