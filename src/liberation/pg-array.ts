// PostgreSQL's array text output (`{a,"b c",NULL}`), one dimension: the one parser behind both the
// Avro and the Protobuf mappers, so an array column reads the same whichever format the stream uses.
import { MappingError } from './mapping.js';

/** `{a,"b c",NULL}` → strings and nulls. Quoted elements keep their text (NULL only unquoted means null). */
export function parsePgArrayText(s: string, field: string): Array<string | null> {
  const t = s.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) throw new MappingError(field, `'${s}' is not an array`);
  const out: Array<string | null> = [];
  const end = t.length - 1;
  let i = 1;
  if (i === end) return out;
  for (;;) {
    if (t[i] === '"') {
      let v = '';
      i++;
      while (i < end && t[i] !== '"') {
        if (t[i] === '\\') i++;
        v += t[i];
        i++;
      }
      if (t[i] !== '"') throw new MappingError(field, 'unterminated quoted element in the array text');
      out.push(v);
      i++;
    } else {
      if (t[i] === '{') throw new MappingError(field, 'multi-dimensional arrays are not supported');
      let j = i;
      while (j < end && t[j] !== ',') j++;
      const raw = t.slice(i, j).trim();
      out.push(raw === 'NULL' ? null : raw);
      i = j;
    }
    if (i >= end) return out;
    if (t[i] !== ',') throw new MappingError(field, `unexpected '${t[i]}' in the array text`);
    i++;
  }
}
