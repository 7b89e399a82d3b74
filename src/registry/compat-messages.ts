// Renders the engine's structured findings as the strings a Confluent registry puts in `messages`
// (SEMANTICS.md §1.4): one string per incompatibility of the failing version, then
// `{oldSchemaVersion: N}` and `{oldSchema: '…'}`, and last `{validateFields: 'false', compatibility: 'LEVEL'}`.
import type { CompatMessage } from '../compat/types.js';
import type { CompatibilityLevel, SchemaType } from './types.js';

const OLD_SCHEMA_LIMIT = 10 * 1024;

export function renderMessage(format: SchemaType, m: CompatMessage): string {
  if (m.registryMessage !== undefined) return m.registryMessage;
  if (format === 'AVRO') {
    return `{errorType:'${m.type}', description:'The type at path '${m.path}' is not compatible', additionalInfo:'${m.message}'}`;
  }
  // the JSON Schema provider really closes the description with a single quote
  const close = format === 'JSON' ? "'" : '"';
  return `{errorType:"${m.type}", description:"${m.message}${close}}`;
}

export interface OldVersion {
  version: number;
  schema: string;
}

/**
 * @param oldVersions the versions that were compared, in the order given to the engine (oldest first),
 *   so a message's 1-based `version` indexes into it
 */
export function renderMessages(
  format: SchemaType,
  level: CompatibilityLevel,
  messages: CompatMessage[],
  oldVersions: OldVersion[],
): string[] {
  if (messages.length === 0) return [];
  const out: string[] = [];
  const failing = messages[0]?.version ?? oldVersions.length;
  const old = oldVersions[failing - 1];
  const versionLines = (): void => {
    if (!old) return;
    const text = old.schema.length > OLD_SCHEMA_LIMIT ? `${old.schema.slice(0, OLD_SCHEMA_LIMIT)}<truncated>` : old.schema;
    out.push(`{oldSchemaVersion: ${old.version}}`, `{oldSchema: '${text}'}`);
  };
  if (level.startsWith('FULL')) {
    const forward = messages.filter((m) => m.direction === 'forward');
    const backward = messages.filter((m) => m.direction !== 'forward');
    for (const m of forward) out.push(renderMessage(format, m));
    for (const m of backward) out.push(renderMessage(format, m));
    if (backward.length > 0) versionLines();
  } else {
    for (const m of messages) out.push(renderMessage(format, m));
    versionLines();
  }
  out.push(`{validateFields: 'false', compatibility: '${level}'}`);
  return out;
}
