// Deterministic generator of realistic proto3 event files, for the protobufjs cross-check and for
// measuring parse speed by hand.

const NOUNS = ['Order', 'Payment', 'Shipment', 'Invoice', 'Customer', 'Refund', 'Cart', 'Subscription', 'Ticket', 'Account'];
const VERBS = ['Placed', 'Updated', 'Cancelled', 'Created', 'Settled', 'Dispatched', 'Expired', 'Renewed'];
const SCALARS = ['string', 'int64', 'int32', 'bool', 'double', 'bytes', 'uint32', 'sint64', 'fixed64'];

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

export function generateEventProto(i: number): string {
  const r = rng(i * 2654435761 + 7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const noun = pick(NOUNS);
  const event = `${noun}${pick(VERBS)}`;
  const lines: string[] = [
    'syntax = "proto3";',
    '',
    `package acme.${noun.toLowerCase()}.v${1 + (i % 3)};`,
    '',
    'import "google/protobuf/timestamp.proto";',
    'import "google/type/money.proto";',
    '',
    `option java_package = "com.acme.${noun.toLowerCase()}";`,
    '',
    `// ${event} is emitted when a ${noun.toLowerCase()} changes state (event #${i}).`,
    `message ${event} {`,
    `  // Identifier of the ${noun.toLowerCase()}.`,
    `  string ${noun.toLowerCase()}_id = 1;`,
    '  Status status = 2;',
    '  google.protobuf.Timestamp occurred_at = 3;',
    '  google.type.Money amount = 4;',
  ];
  let n = 5;
  const extra = 3 + Math.floor(r() * 8);
  for (let k = 0; k < extra; k++) {
    const label = r() < 0.2 ? 'repeated ' : r() < 0.1 ? 'optional ' : '';
    lines.push(`  ${label}${pick(SCALARS)} attr_${k} = ${n++}${r() < 0.1 ? ' [deprecated = true]' : ''};`);
  }
  lines.push(`  map<string, string> labels = ${n++};`);
  lines.push(`  repeated Line lines = ${n++};`);
  lines.push('  oneof actor {');
  lines.push(`    string user_id = ${n++};`);
  lines.push(`    string service_name = ${n++};`);
  lines.push('  }');
  lines.push(`  google.protobuf.Timestamp updated_at = ${n++};`);
  lines.push('');
  lines.push('  message Line {');
  lines.push('    string sku = 1;');
  lines.push('    int32 quantity = 2;');
  lines.push('    google.type.Money unit_price = 3;');
  lines.push('  }');
  lines.push(`  reserved ${n + 5}, ${n + 10} to ${n + 12};`);
  lines.push('}');
  lines.push('');
  lines.push('enum Status {');
  lines.push('  STATUS_UNSPECIFIED = 0;');
  const values = 2 + Math.floor(r() * 5);
  for (let k = 1; k <= values; k++) lines.push(`  STATUS_${k === 1 ? 'ACTIVE' : `STATE_${k}`} = ${k};`);
  lines.push('}');
  lines.push('');
  return lines.join('\n');
}
