// The rule contract. A rule is `meta` plus `create(ctx)` returning visitors keyed by model node kind.
// Message ids are a string-literal union so a typo in `report({ messageId })` fails to compile.
import type { Fix } from './fix.js';
import type {
  EnumType, Field, FixedType, NamedType, RecordType, SchemaDocument, SchemaFormat, SourceRange, TypeNode,
} from '../model/types.js';

export type RuleSeverity = 'error' | 'warn' | 'off';
export type RuleCategory = 'event-design' | 'evolution' | 'hygiene' | 'naming';

export interface RuleExample {
  /** a complete schema text that the rule accepts */
  valid: string;
  /** a complete schema text on which the rule reports */
  invalid: string;
}

export interface RuleMeta<MessageId extends string> {
  /** equals the rule's file name in rules/ */
  id: string;
  /** one line, no trailing period */
  description: string;
  defaultSeverity: RuleSeverity;
  category: RuleCategory;
  formats: SchemaFormat[];
  /** why the rule exists, in a few sentences; rendered in `schemactl rules <id>` and the README */
  rationale: string;
  /** message templates; `{{name}}` is replaced from `report({ data })` */
  messages: Record<MessageId, string>;
  /** JSON Schema of the rule's options object (the second element of `[severity, options]`) */
  optionsSchema?: Record<string, unknown>;
  defaultOptions?: Record<string, unknown>;
  /** one valid and one invalid example per supported format */
  examples: Partial<Record<SchemaFormat, RuleExample>>;
  /**
   * set when some of the rule's findings carry a fix that `lint --fix` applies (ESLint's `fixable`);
   * says which formats and cases in a sentence for the docs
   */
  fixable?: string;
}

/** A catalog stream as a rule sees it. */
export interface StreamInfo {
  topic: string;
  kind: 'store' | 'stage';
  /** schema files of the stream, as written in the catalog (with any `#Type` selector) */
  schemas: string[];
  /** file of the catalog and the range of the stream entry there */
  catalogFile?: string;
  catalogLoc?: SourceRange;
  /** `schema_type:` from the catalog, when set (JSON declares `.json` files as JSON Schema) */
  schemaType?: 'AVRO' | 'PROTOBUF' | 'JSON';
}

export interface ReportDescriptor<MessageId extends string> {
  messageId: MessageId;
  data?: Record<string, string | number>;
  /** the node the finding is about; its path and loc are used */
  node?: { path: string; loc: SourceRange; nameLoc?: SourceRange };
  /** narrow the span to the node's name (default true when the node has one) */
  atName?: boolean;
  /** explicit location when there is no node (e.g. a stream-level finding) */
  loc?: SourceRange;
  path?: string;
  /** symbol path, e.g. `com.acme.OrderPlaced.status`; derived from the node when omitted */
  symbol?: string;
  /** the concrete fix */
  help?: string;
  /** an edit of the document's text that resolves the finding; only kept when `meta.fixable` is set */
  fix?: Fix;
  /**
   * cap this finding at `warn` whatever severity the rule is configured with (weaker evidence, a
   * `stage` stream); it never raises a finding, and a rule set to `off` stays off
   */
  severity?: 'warn';
  related?: Array<{ message: string; file: string; loc?: SourceRange; path?: string }>;
}

export interface RuleContext<MessageId extends string, Options> {
  readonly document: SchemaDocument;
  readonly options: Options;
  /** the catalog streams this document belongs to (empty when linted outside any stream) */
  readonly streams: readonly StreamInfo[];
  /** full names of the document's event roots (see RULES.md, "Which type is the event") */
  readonly eventRoots: ReadonlySet<string>;
  isEventRoot(type: NamedType): boolean;
  /** a named type by full name, from this document or its imports (well-known types included) */
  lookup(fullName: string): NamedType | undefined;
  /** the named type a type node denotes, if any (refs and inline definitions) */
  resolve(node: TypeNode): NamedType | undefined;
  /** symbol path of a field: `<record full name>.<field name>` */
  symbolOf(record: NamedType, field?: Field): string;
  report(descriptor: ReportDescriptor<MessageId>): void;
}

/** Called once per document, after the document visitor; fields are visited within their record. */
export interface RuleVisitors {
  document?(doc: SchemaDocument): void;
  record?(record: RecordType): void;
  field?(field: Field, record: RecordType): void;
  enum?(type: EnumType): void;
  fixed?(type: FixedType): void;
  /** after every node of the document was visited */
  'document:exit'?(doc: SchemaDocument): void;
}

/**
 * A file that is not written in an explicit schema format (Avro or Protobuf): a JSON Schema, a JSON
 * sample payload, or text. The file reader classifies these instead of failing to parse them.
 */
export interface NonExplicitFormat {
  kind: 'json-schema' | 'json-sample' | 'text' | 'unknown';
  /** the evidence, e.g. "`$schema` keyword", "extension .txt" */
  evidence: string;
}

/** A stream-level check, run once per catalog stream with every document the stream names. */
export interface StreamCheckContext<MessageId extends string, Options> {
  readonly stream: StreamInfo;
  /**
   * `document` is absent when the file did not parse, is missing, or is not an explicit schema
   * format (then `nonExplicit` says what it is).
   */
  readonly documents: ReadonlyArray<{
    file: string; document?: SchemaDocument; selector?: string; nonExplicit?: NonExplicitFormat;
  }>;
  readonly options: Options;
  /** report against one schema file of the stream; the engine adds it to that file's results */
  report(file: string, descriptor: ReportDescriptor<MessageId>): void;
}

export interface Rule<MessageId extends string = string, Options = Record<string, unknown>> {
  meta: RuleMeta<MessageId>;
  create(ctx: RuleContext<MessageId, Options>): RuleVisitors;
  /** optional stream-level check (one-event-per-stream, explicit-schema-format) */
  checkStream?(ctx: StreamCheckContext<MessageId, Options>): void;
}

/** Identity helper that pins the MessageId union and the Options type. */
export function defineRule<MessageId extends string, Options = Record<string, unknown>>(
  rule: Rule<MessageId, Options>,
): Rule<MessageId, Options> {
  return rule;
}
