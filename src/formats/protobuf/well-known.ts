// Well-known and Google common types, written from their public API shapes so that imports of them
// resolve offline. Only the declarations matter to the model (names, fields, numbers, types).

const timestamp = `syntax = "proto3";
package google.protobuf;
option java_package = "com.google.protobuf";
// A point in time independent of any time zone or calendar, at nanosecond resolution.
message Timestamp {
  int64 seconds = 1;
  int32 nanos = 2;
}
`;

const duration = `syntax = "proto3";
package google.protobuf;
// A signed, fixed-length span of time at nanosecond resolution.
message Duration {
  int64 seconds = 1;
  int32 nanos = 2;
}
`;

const any = `syntax = "proto3";
package google.protobuf;
// An arbitrary serialized message along with a URL that describes its type.
message Any {
  string type_url = 1;
  bytes value = 2;
}
`;

const struct = `syntax = "proto3";
package google.protobuf;
// A structured data value with dynamically typed fields (a JSON object).
message Struct {
  map<string, Value> fields = 1;
}
// A dynamically typed value: null, number, string, bool, struct or list.
message Value {
  oneof kind {
    NullValue null_value = 1;
    double number_value = 2;
    string string_value = 3;
    bool bool_value = 4;
    Struct struct_value = 5;
    ListValue list_value = 6;
  }
}
// The JSON null value.
enum NullValue {
  NULL_VALUE = 0;
}
// A repeated field of dynamically typed values (a JSON array).
message ListValue {
  repeated Value values = 1;
}
`;

const wrappers = `syntax = "proto3";
package google.protobuf;
message DoubleValue { double value = 1; }
message FloatValue { float value = 1; }
message Int64Value { int64 value = 1; }
message UInt64Value { uint64 value = 1; }
message Int32Value { int32 value = 1; }
message UInt32Value { uint32 value = 1; }
message BoolValue { bool value = 1; }
message StringValue { string value = 1; }
message BytesValue { bytes value = 1; }
`;

const empty = `syntax = "proto3";
package google.protobuf;
// An empty message, for methods that take or return nothing.
message Empty {}
`;

const fieldMask = `syntax = "proto3";
package google.protobuf;
// A set of symbolic field paths.
message FieldMask {
  repeated string paths = 1;
}
`;

// Only the option messages are needed: enough for \`extend google.protobuf.FieldOptions { … }\`.
const descriptor = `syntax = "proto2";
package google.protobuf;
message FileOptions {
  optional string java_package = 1;
  optional string java_outer_classname = 8;
  optional bool java_multiple_files = 10;
  optional string go_package = 11;
  optional bool deprecated = 23 [default = false];
  optional string csharp_namespace = 37;
  optional string php_namespace = 41;
  optional string ruby_package = 45;
  extensions 1000 to max;
}
message MessageOptions {
  optional bool deprecated = 3 [default = false];
  optional bool map_entry = 7;
  extensions 1000 to max;
}
message FieldOptions {
  optional bool packed = 2;
  optional bool deprecated = 3 [default = false];
  optional bool lazy = 5 [default = false];
  extensions 1000 to max;
}
message OneofOptions {
  extensions 1000 to max;
}
message EnumOptions {
  optional bool allow_alias = 2;
  optional bool deprecated = 3 [default = false];
  extensions 1000 to max;
}
message EnumValueOptions {
  optional bool deprecated = 1 [default = false];
  extensions 1000 to max;
}
message ServiceOptions {
  optional bool deprecated = 33 [default = false];
  extensions 1000 to max;
}
message MethodOptions {
  optional bool deprecated = 33 [default = false];
  extensions 1000 to max;
}
message ExtensionRangeOptions {
  extensions 1000 to max;
}
`;

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

/** import path → file text */
export const WELL_KNOWN_FILES: ReadonlyMap<string, string> = new Map([
  ['google/protobuf/timestamp.proto', timestamp],
  ['google/protobuf/duration.proto', duration],
  ['google/protobuf/any.proto', any],
  ['google/protobuf/struct.proto', struct],
  ['google/protobuf/wrappers.proto', wrappers],
  ['google/protobuf/empty.proto', empty],
  ['google/protobuf/field_mask.proto', fieldMask],
  ['google/protobuf/descriptor.proto', descriptor],
  ['google/type/date.proto', date],
  ['google/type/money.proto', money],
  ['google/type/decimal.proto', decimal],
  ['google/type/timeofday.proto', timeOfDay],
  ['google/type/latlng.proto', latLng],
  ['google/type/dayofweek.proto', dayOfWeek],
  ['google/type/month.proto', month],
]);
