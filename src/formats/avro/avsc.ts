// .avsc → model: JSON with positions, then the shared Avro model builder.

import type { ParseProblem, ParseResult, SchemaDocument } from '../../model/types.js';
import { parseJsonWithPositions } from './json-positions.js';
import { AvroModelBuilder } from './model-builder.js';

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 0xfeff) return false;
  }
  return true;
}

export function parseAvsc(text: string, file: string): ParseResult {
  if (isBlank(text)) {
    return {
      ok: false,
      problems: [{
        code: 'empty-file',
        message: 'The file is empty; an .avsc file holds one Avro schema as JSON (e.g. {"type": "record", …}).',
        loc: { line: 1, column: 1, endLine: 1, endColumn: 1 },
        fatal: true,
      }],
    };
  }
  const json = parseJsonWithPositions(text, undefined, true);
  if (!json.ok) return { ok: false, problems: json.problems };
  const problems: ParseProblem[] = json.problems.map((p) => ({ ...p }));
  const root = json.value;
  if (root === null || (typeof root !== 'object' && typeof root !== 'string')) {
    problems.push({
      code: 'avro-invalid-schema',
      message: `The top level is ${JSON.stringify(root)}, not an Avro schema: write a type object, a type name string or a union array.`,
      loc: json.locations.value,
      fatal: true,
    });
    return { ok: false, problems };
  }
  const builder = new AvroModelBuilder({ syntax: 'avsc' });
  const topLevelType = builder.parseType(root, '', json.locations, '');
  builder.finish();
  problems.push(...builder.problems);

  const topLevel: string[] = [];
  let namespace = '';
  if (topLevelType.kind === 'inline') {
    topLevel.push(topLevelType.fullName);
    namespace = builder.byName.get(topLevelType.fullName)?.namespace ?? '';
  } else if (topLevelType.kind === 'ref' && topLevelType.resolved) {
    topLevel.push(topLevelType.fullName);
  } else if (topLevelType.kind === 'union') {
    for (const branch of topLevelType.branches) {
      if ((branch.kind === 'inline' || (branch.kind === 'ref' && branch.resolved)) && !topLevel.includes(branch.fullName)) {
        topLevel.push(branch.fullName);
      }
    }
  }
  const document: SchemaDocument = {
    file,
    format: 'avro',
    syntax: 'avsc',
    text,
    namespace,
    types: builder.types,
    topLevel,
    topLevelType,
    imports: [],
    importedTypes: new Map(),
    disableDirectives: [],
  };
  if (topLevelType.kind === 'union') document.topLevelUnion = topLevelType;
  return { ok: true, document, problems };
}
