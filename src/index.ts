// The library API of schemactl. The CLI is a thin shell over these.

// lint
export { lint } from './api/lint.js';
export type { LintOptions, LintOutcome, RuleOverride } from './api/lint.js';
export { loadConfig, findConfigFile, parseConfig, ConfigValidationError } from './config/load.js';
export type { ResolvedConfig, CatalogStream, CatalogSchema, CompatibilityLevel as CatalogCompatibility, ConfigIssue } from './config/types.js';
export { loadRules } from './config/rules.js';
export { readSchemaFile, parseSchemaText } from './formats/index.js';
export type { SchemaFile, ReadSchemaOptions } from './formats/index.js';
export { runLint } from './lint/engine.js';
export { defineRule } from './lint/rule.js';
export type {
  Rule, RuleMeta, RuleContext, RuleVisitors, RuleSeverity, RuleCategory, StreamInfo, StreamCheckContext,
  ReportDescriptor, NonExplicitFormat,
} from './lint/rule.js';
export { parseBaseline, buildBaseline, filterByBaseline, serializeBaseline } from './lint/baseline.js';
export type { Baseline, BaselineEntry } from './lint/baseline.js';

// compatibility
export { checkCompatibility } from './compat/index.js';
export { check, compareUnit, avdlTypeToAvsc, subjectName, parseStrategy } from './check/index.js';
export type {
  CheckOptions, CheckOutcome, SubjectOutcome, SubjectStatus, AdvisoryMode, PreviousSchema, SchemaUnit, SubjectStrategy,
} from './check/index.js';
export { COMPAT_RULES, compatRule, compatRuleId } from './compat/rules.js';
export type { CompatRuleMeta, CompatRuleCategory } from './compat/rules.js';
export { PRESETS } from './config/presets.js';
export type { Preset } from './config/presets.js';
export { register } from './register/index.js';
export type { RegisterOptions, RegisterOutcome, RegisteredSubject } from './register/index.js';

// results, model and errors shared by every API
export type { Diagnostic, DiagnosticLocation, RelatedLocation, Severity, FileResult } from './diagnostics/types.js';
export type * from './model/types.js';
export { SchemactlError, UsageError, ConfigError, UnreachableError, EXIT, redact } from './errors.js';

export { openRegistry, serveRegistry, HttpRegistryClient, EmbeddedRegistry, encodeFrame, decodeFrame } from './registry/index.js';
export type { Registry, OpenRegistryOptions, ServeOptions, ServedRegistry, ClientOptions } from './registry/index.js';
export { publish } from './liberation/publish.js';
export type { PublishOptions, PublishOutcome, PublishEvent, StreamOutcome } from './liberation/publish.js';
