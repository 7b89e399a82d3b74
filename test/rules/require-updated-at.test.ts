import { RuleTester } from '../../src/lint/rule-tester.js';
import rule from '../../rules/require-updated-at.js';
import { AVRO_FIELD_COL, AVRO_RECORD_COL, AVRO_RECORD_LINE, avroFieldLine, avroRecord, proto, protoLine } from './schemas.js';

const id = '{ "name": "customer_id", "type": "string" }';
const ts = (name: string, type = '{ "type": "long", "logicalType": "timestamp-millis" }'): string => `{ "name": "${name}", "type": ${type} }`;
const TS = ['google/protobuf/timestamp.proto'];

// A library API: the service decides which messages are requests and responses, not their names.
const book = proto(`
message Book {
  string name = 1;
}`);
const libraryService = proto(`
import "input.proto";

message FetchBook {
  string name = 1;
}

service Library {
  rpc GetBook(FetchBook) returns (Book);
}`);

new RuleTester().run(rule, {
  avro: {
    valid: [
      avroRecord('CustomerUpdated', [id, ts('updated_at')]),
      avroRecord('CustomerUpdated', [id, ts('updated_at', '{ "type": "long", "logicalType": "timestamp-micros" }')]),
      avroRecord('CustomerUpdated', [id, ts('updatedAt')]),
      { schema: avroRecord('CustomerUpdated', [id, ts('modified_at')]), options: { field: 'modified_at' } },
      // helper types are not events: only the root needs the field
      avroRecord('CustomerUpdated', [
        '{ "name": "address", "type": { "type": "record", "name": "Address", "fields": [{ "name": "city", "type": "string" }] } }',
        ts('updated_at'),
      ]),
    ],
    invalid: [
      {
        schema: avroRecord('CustomerUpdated', [id]),
        errors: [{ messageId: 'missing', line: AVRO_RECORD_LINE, column: AVRO_RECORD_COL }],
      },
      {
        schema: avroRecord('CustomerUpdated', [id, ts('updated_at')]),
        options: { field: 'changed_at' },
        errors: [{ messageId: 'missing', line: AVRO_RECORD_LINE, column: AVRO_RECORD_COL }],
      },
      {
        schema: avroRecord('CustomerUpdated', [id, `${ts('updated_at', '["null", { "type": "long", "logicalType": "timestamp-millis" }]').slice(0, -2)}, "default": null }`]),
        errors: [{ messageId: 'nullable', line: avroFieldLine(1), column: AVRO_FIELD_COL }],
      },
      {
        schema: avroRecord('CustomerUpdated', [id, ts('updated_at', '{ "type": "long", "logicalType": "local-timestamp-millis" }')]),
        errors: [{ messageId: 'localTimestamp', line: avroFieldLine(1), column: AVRO_FIELD_COL }],
      },
      {
        schema: avroRecord('CustomerUpdated', [id, ts('updated_at', '"string"')]),
        errors: [{ messageId: 'wrongType', line: avroFieldLine(1), column: AVRO_FIELD_COL }],
      },
      {
        schema: avroRecord('CustomerUpdated', [id, ts('updated_at', '"long"')]),
        errors: [{ messageId: 'wrongType', line: avroFieldLine(1), column: AVRO_FIELD_COL }],
      },
    ],
  },
  avdl: {
    valid: ['@namespace("com.acme.test.v1")\nprotocol P {\n  record CustomerUpdated {\n    string customer_id;\n    timestamp_ms updated_at;\n  }\n}\n'],
    invalid: [
      {
        schema: '@namespace("com.acme.test.v1")\nprotocol P {\n  record CustomerUpdated {\n    string customer_id;\n  }\n}\n',
        errors: [{ messageId: 'missing', line: 3, column: 10 }],
      },
      {
        schema: '@namespace("com.acme.test.v1")\nprotocol P {\n  record CustomerUpdated {\n    local_timestamp_ms updated_at;\n  }\n}\n',
        errors: [{ messageId: 'localTimestamp', line: 4, column: 24 }],
      },
    ],
  },
  protobuf: {
    valid: [
      proto(`
message CustomerUpdated {
  string customer_id = 1;
  google.protobuf.Timestamp updated_at = 2;
}`, TS),
      proto(`
message Address {
  string city = 1;
}

message CustomerUpdated {
  Address address = 1;
  google.protobuf.Timestamp updated_at = 2;
}`, TS),
      // rpc request and response types are API messages, not events
      proto(`
message LookupBook {
  string name = 1;
}

message Shelf {
  string name = 1;
}

service Library {
  rpc GetShelf(LookupBook) returns (stream Shelf);
}`),
      // ... also when the service that returns the message is in another file of the run
      { schema: book, files: { 'library.proto': libraryService } },
      // a long-running method's response and metadata types are named in its operation_info
      {
        schema: proto(`
import "google/longrunning/operations.proto";

message CreateShelfRequest {
  string name = 1;
}

message Shelf {
  string name = 1;
}

message CreateShelfMetadata {
  string progress = 1;
}

service Library {
  rpc CreateShelf(CreateShelfRequest) returns (google.longrunning.Operation) {
    option (google.longrunning.operation_info) = {
      response_type: "Shelf"
      metadata_type: "acme.test.v1.CreateShelfMetadata"
    };
  }
}`),
        files: {
          // the smallest stand-in for the real file; its OperationInfo is an event root of its own here
          'google/longrunning/operations.proto': proto(`
import "google/protobuf/descriptor.proto";
import "google/protobuf/timestamp.proto";

message Operation {
  string name = 1;
}

message OperationInfo {
  string response_type = 1;
  string metadata_type = 2;
  google.protobuf.Timestamp updated_at = 3;
}

extend google.protobuf.MethodOptions {
  OperationInfo operation_info = 1049;
}`, [], 'google.longrunning'),
        },
      },
      // a message that only holds nested types is a namespace, not an event
      proto(`
message StatusEnum {
  enum Status {
    STATUS_UNSPECIFIED = 0;
  }
}`),
      // a type another file's messages use is a helper of theirs, not an event of its own
      {
        schema: proto(`
message Amount {
  string currency_code = 1;
}`),
        files: {
          'order.proto': proto(`
import "input.proto";
import "google/protobuf/timestamp.proto";

message OrderPlaced {
  Amount total = 1;
  google.protobuf.Timestamp updated_at = 2;
}`),
        },
      },
      // nested messages are never roots
      proto(`
message CustomerUpdated {
  message Address {
    string city = 1;
  }
  Address address = 1;
  google.protobuf.Timestamp updated_at = 2;
}`, TS),
    ],
    invalid: [
      {
        schema: proto(`
message CustomerUpdated {
  string customer_id = 1;
}`, TS),
        errors: [{ messageId: 'missing', line: protoLine(1, 1), column: 9 }],
      },
      {
        schema: proto(`
message CustomerUpdated {
  optional google.protobuf.Timestamp updated_at = 1;
}`, TS),
        errors: [{ messageId: 'optional', line: protoLine(2, 1), column: 38 }],
      },
      {
        schema: proto(`
message CustomerUpdated {
  oneof change {
    google.protobuf.Timestamp updated_at = 1;
    google.protobuf.Timestamp deleted_at = 2;
  }
}`, TS),
        errors: [{ messageId: 'inOneof', line: protoLine(3, 1), column: 31 }],
      },
      {
        schema: proto(`
message CustomerUpdated {
  int64 updated_at = 1;
}`, TS),
        errors: [{ messageId: 'wrongType', line: protoLine(2, 1), column: 9 }],
      },
      {
        // an event beside a service is still an event; a *Request/*Response name alone decides nothing
        schema: proto(`
message GetCustomerRequest {
  string customer_id = 1;
}

message Customer {
  string customer_id = 1;
}

message CustomerUpdateRequest {
  string customer_id = 1;
}

service Customers {
  rpc GetCustomer(GetCustomerRequest) returns (Customer);
}`),
        errors: [{ messageId: 'missing', line: protoLine(9), column: 9, data: { record: 'CustomerUpdateRequest' } }],
      },
      {
        // a catalog stream that names an rpc type makes it the event
        schema: book,
        files: { 'library.proto': libraryService },
        streams: [{ topic: 'books', schemas: ['input.proto#acme.test.v1.Book'] }],
        errors: [{ messageId: 'missing', line: protoLine(1), column: 9 }],
      },
    ],
  },
});
