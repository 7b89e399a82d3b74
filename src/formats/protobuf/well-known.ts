// Well-known files resolve offline. The google/protobuf/*.proto files are the real ones (BSD-3, shipped
// unmodified under proto-include/ with their licence) and are read from disk only when a schema
// imports them. The google/type/* files below are written from their public API shapes: only the
// declarations matter to the model (names, fields, numbers, types).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The import paths protoc and buf resolve without any include path. */
const BUNDLED = [
  'google/protobuf/any.proto',
  'google/protobuf/api.proto',
  'google/protobuf/compiler/plugin.proto',
  'google/protobuf/cpp_features.proto',
  'google/protobuf/csharp_features.proto',
  'google/protobuf/descriptor.proto',
  'google/protobuf/duration.proto',
  'google/protobuf/empty.proto',
  'google/protobuf/field_mask.proto',
  'google/protobuf/go_features.proto',
  'google/protobuf/java_features.proto',
  'google/protobuf/source_context.proto',
  'google/protobuf/struct.proto',
  'google/protobuf/timestamp.proto',
  'google/protobuf/type.proto',
  'google/protobuf/wrappers.proto',
];

/**
 * proto-include/ sits at the package root: three levels above this module in the sources
 * (src/formats/protobuf), four in the build (dist/src/formats/protobuf).
 */
const ROOT_CANDIDATES = ['../../../proto-include/', '../../../../proto-include/'];
let root: string | undefined;

function readBundled(importPath: string): string {
  // found once (the first layout that has the directory), so no read fails on the way
  root ??= ROOT_CANDIDATES.map((rel) => fileURLToPath(new URL(rel, import.meta.url))).find((dir) => existsSync(dir)) ?? '';
  try {
    if (root === '') throw new Error('no proto-include directory');
    return readFileSync(path.join(root, importPath), 'utf8');
  } catch (e) {
    throw new Error(`the bundled ${importPath} is missing from the installation (${e instanceof Error ? e.message : String(e)})`);
  }
}

const date = `syntax = "proto3";
package google.type;
// A whole or partial calendar date, such as a birthday.
message Date {
  int32 year = 1;
  int32 month = 2;
  int32 day = 3;
}
`;

const money = `syntax = "proto3";
package google.type;
// An amount of money with its currency type.
message Money {
  string currency_code = 1;
  int64 units = 2;
  int32 nanos = 3;
}
`;

const decimal = `syntax = "proto3";
package google.type;
// A decimal value, encoded as a string.
message Decimal {
  string value = 1;
}
`;

const timeOfDay = `syntax = "proto3";
package google.type;
// A time of day; the date and time zone are either not significant or specified elsewhere.
message TimeOfDay {
  int32 hours = 1;
  int32 minutes = 2;
  int32 seconds = 3;
  int32 nanos = 4;
}
`;

const latLng = `syntax = "proto3";
package google.type;
// A latitude/longitude pair in degrees.
message LatLng {
  double latitude = 1;
  double longitude = 2;
}
`;

const dayOfWeek = `syntax = "proto3";
package google.type;
// A day of the week.
enum DayOfWeek {
  DAY_OF_WEEK_UNSPECIFIED = 0;
  MONDAY = 1;
  TUESDAY = 2;
  WEDNESDAY = 3;
  THURSDAY = 4;
  FRIDAY = 5;
  SATURDAY = 6;
  SUNDAY = 7;
}
`;

const month = `syntax = "proto3";
package google.type;
// A month of the year.
enum Month {
  MONTH_UNSPECIFIED = 0;
  JANUARY = 1;
  FEBRUARY = 2;
  MARCH = 3;
  APRIL = 4;
  MAY = 5;
  JUNE = 6;
  JULY = 7;
  AUGUST = 8;
  SEPTEMBER = 9;
  OCTOBER = 10;
  NOVEMBER = 11;
  DECEMBER = 12;
}
`;

const GOOGLE_TYPE = new Map([
  ['google/type/date.proto', date],
  ['google/type/money.proto', money],
  ['google/type/decimal.proto', decimal],
  ['google/type/timeofday.proto', timeOfDay],
  ['google/type/latlng.proto', latLng],
  ['google/type/dayofweek.proto', dayOfWeek],
  ['google/type/month.proto', month],
]);

/** import path → file text, each bundled file read on first use and kept. */
class WellKnownFiles implements ReadonlyMap<string, string> {
  private readonly texts = new Map<string, string>(GOOGLE_TYPE);
  private readonly paths = new Set<string>([...BUNDLED, ...GOOGLE_TYPE.keys()]);

  get size(): number {
    return this.paths.size;
  }
  has(key: string): boolean {
    return this.paths.has(key);
  }
  get(key: string): string | undefined {
    if (!this.paths.has(key)) return undefined;
    let text = this.texts.get(key);
    if (text === undefined) this.texts.set(key, (text = readBundled(key)));
    return text;
  }
  keys(): MapIterator<string> {
    return this.paths.values();
  }
  *values(): MapIterator<string> {
    for (const k of this.paths) yield this.get(k) as string;
  }
  *entries(): MapIterator<[string, string]> {
    for (const k of this.paths) yield [k, this.get(k) as string];
  }
  [Symbol.iterator](): MapIterator<[string, string]> {
    return this.entries();
  }
  forEach(fn: (value: string, key: string, map: ReadonlyMap<string, string>) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this);
  }
}

export const WELL_KNOWN_FILES: ReadonlyMap<string, string> = new WellKnownFiles();
