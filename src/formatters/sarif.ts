// SARIF 2.1.0 as GitHub code scanning ingests it: one run, rule descriptors for every rule that
// reported (plus the configured rules we know), result locations relative to %SRCROOT% so the
// upload maps them onto the repository checkout.
import { createHash } from 'node:crypto';
import type { Diagnostic, FileResult, RelatedLocation } from '../diagnostics/types.js';
import type { SourceRange } from '../model/types.js';
import { relativePosix } from './paths.js';
import { sortDiagnostics } from './stylish.js';
import type { Formatter, FormatterOptions } from './types.js';
import { HOMEPAGE, ruleDocsUrl } from './types.js';

type Level = 'error' | 'warning' | 'note' | 'none';

interface ReportingDescriptor {
  id: string;
  name?: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  helpUri?: string;
  defaultConfiguration: { level: Level };
  properties?: Record<string, unknown>;
}

function level(sev: 'error' | 'warn' | 'off'): Level {
  if (sev === 'error') return 'error';
  if (sev === 'warn') return 'warning';
  return 'none';
}

function toPascal(id: string): string {
  return id.split(/[^a-zA-Z0-9]+/).filter(Boolean).map((p) => p[0]!.toUpperCase() + p.slice(1)).join('');
}

function descriptor(ruleId: string, sample: Diagnostic | undefined, opts: FormatterOptions): ReportingDescriptor {
  const meta = opts.rules?.get(ruleId);
  if (meta) {
    const examples = Object.entries(meta.examples ?? {})
      .map(([format, ex]) => (ex ? `### ${format}\n\nInvalid:\n\n\`\`\`\n${ex.invalid}\n\`\`\`\n\nValid:\n\n\`\`\`\n${ex.valid}\n\`\`\`\n` : ''))
      .join('\n');
    return {
      id: ruleId,
      name: toPascal(ruleId),
      shortDescription: { text: meta.description },
      fullDescription: { text: meta.rationale },
      help: {
        text: `${meta.description}. ${meta.rationale}`,
        markdown: `**${meta.description}**\n\n${meta.rationale}\n\n${examples}`,
      },
      helpUri: ruleDocsUrl(ruleId),
      defaultConfiguration: { level: level(meta.defaultSeverity) },
      properties: { tags: [...(meta.kind ? [meta.kind] : []), meta.category, ...meta.formats] },
    };
  }
  // An id no catalogue knows (a caller's own finding): describe it by id.
  const text = ruleId === 'parse-error'
    ? 'The file could not be parsed as an Avro or Protobuf schema'
    : `Finding ${ruleId}`;
  return {
    id: ruleId,
    name: toPascal(ruleId),
    shortDescription: { text },
    fullDescription: { text },
    help: { text, markdown: text },
    defaultConfiguration: { level: level(sample?.severity ?? 'error') },
  };
}

function region(r: SourceRange): Record<string, number> {
  return { startLine: r.line, startColumn: r.column, endLine: r.endLine, endColumn: r.endColumn };
}

function physicalLocation(file: string, range: SourceRange | undefined, cwd: string): Record<string, unknown> {
  const rel = relativePosix(file, cwd);
  // Encode each segment fully so a `:` in a file name cannot read as a URI scheme; a file outside
  // the source root gets an absolute file: URI instead of a base-relative one.
  const encoded = rel.split('/').map(encodeURIComponent).join('/');
  const artifactLocation = rel.startsWith('/') ? { uri: `file://${encoded}` } : { uri: encoded, uriBaseId: '%SRCROOT%' };
  const loc: Record<string, unknown> = { artifactLocation };
  // A file-level finding still needs a region for GitHub to show it; line 1 is where the file starts.
  loc.region = range ? region(range) : { startLine: 1, startColumn: 1 };
  return loc;
}

function fingerprint(d: Diagnostic, file: string): string {
  return createHash('sha256').update(`${d.ruleId}\0${file}\0${d.symbol ?? d.location.path ?? ''}\0${d.message}`).digest('hex').slice(0, 32);
}

export const sarif: Formatter = (results: FileResult[], opts) => {
  const samples = new Map<string, Diagnostic>();
  for (const r of results) for (const d of r.diagnostics) if (!samples.has(d.ruleId)) samples.set(d.ruleId, d);
  const ids = [...new Set([...(opts.rules?.keys() ?? []), ...samples.keys()])].sort();
  const rules = ids.map((id) => descriptor(id, samples.get(id), opts));
  const index = new Map(ids.map((id, i) => [id, i]));
  const sarifResults: unknown[] = [];
  for (const r of results) {
    const uri = relativePosix(r.file, opts.cwd);
    for (const d of sortDiagnostics(r.diagnostics)) {
      const result: Record<string, unknown> = {
        ruleId: d.ruleId,
        ruleIndex: index.get(d.ruleId),
        level: level(d.severity),
        message: { text: d.help && !d.message.includes(d.help) ? `${d.message} ${d.help}` : d.message },
        locations: [{ physicalLocation: physicalLocation(d.location.file || r.file, d.location.range, opts.cwd) }],
        partialFingerprints: { 'schemactl/v1': fingerprint(d, uri) },
      };
      if (d.symbol) (result.locations as Array<Record<string, unknown>>)[0]!.logicalLocations = [{ fullyQualifiedName: d.symbol }];
      if (d.related && d.related.length > 0) {
        result.relatedLocations = d.related.map((rel: RelatedLocation, i) => ({
          id: i + 1,
          message: { text: rel.message },
          physicalLocation: physicalLocation(rel.file, rel.range, opts.cwd),
        }));
      }
      sarifResults.push(result);
    }
  }
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'schemactl',
          informationUri: HOMEPAGE,
          version: opts.version ?? '0.0.0',
          semanticVersion: opts.version ?? '0.0.0',
          rules,
        },
      },
      columnKind: 'utf16CodeUnits',
      results: sarifResults,
    }],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
};
