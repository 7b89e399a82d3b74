import type { SourceRange } from '../model/types.js';
import type { OverrideSetting, RuleSetting } from '../lint/types.js';
import type { RuleSeverity } from '../lint/rule.js';

export type CompatibilityLevel =
  | 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FORWARD_TRANSITIVE' | 'FULL' | 'FULL_TRANSITIVE' | 'NONE';

export interface CatalogSchema {
  /** as written in the catalog, e.g. `schemas/orders.proto#acme.orders.v1.OrderPlaced` */
  ref: string;
  /** absolute path of the file */
  path: string;
  selector?: string;
  loc: SourceRange;
}

export interface CatalogStream {
  topic: string;
  kind: 'store' | 'stage';
  schemas: CatalogSchema[];
  key?: string;
  compatibility?: CompatibilityLevel;
  /**
   * The registry's schema type of the stream's schemas (`schema_type:`). Avro and Protobuf follow from
   * the file extension; a `.json` file is a JSON Schema only when the catalog says JSON.
   */
  schemaType?: 'AVRO' | 'PROTOBUF' | 'JSON';
  /** validated loosely here; the publish engine checks it fully */
  source?: Record<string, unknown>;
  /** range of the stream entry in the config file */
  loc: SourceRange;
}

export interface ResolvedConfig {
  /** absolute path of the config file; undefined when none was found (defaults only) */
  file?: string;
  /** the directory catalog paths and globs are relative to */
  dir: string;
  /** the config text, for code frames of catalog findings */
  text?: string;
  streams: CatalogStream[];
  registry?: Record<string, unknown>;
  /** where `schemactl publish` produces to (absent: the file sink) */
  kafka?: { brokers?: string[]; client_id?: string; compression?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'; checkpoint_topic?: string; exactly_once?: boolean; group?: string };
  /** absolute Protobuf import roots */
  includePaths: string[];
  /** lint rule settings (presets from `extends` first, then `rules:`) */
  rules: Record<string, RuleSetting>;
  /** severities of compatibility rules set in `rules:` (ids from src/compat/rules.ts) */
  compatRules: Record<string, RuleSeverity>;
  overrides: OverrideSetting[];
}

export interface ConfigIssue {
  file: string;
  line: number;
  column: number;
  message: string;
}
