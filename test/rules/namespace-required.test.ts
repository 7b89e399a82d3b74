import { RuleTester } from '../../src/lint/rule-tester.js';
import rule from '../../rules/namespace-required.js';
import { proto } from './schemas.js';

const avsc = (ns: string | undefined) =>
  `{\n  "type": "record", "name": "OrderPlaced",${ns === undefined ? '' : ` "namespace": "${ns}",`}\n  "fields": [{ "name": "order_id", "type": "string" }]\n}\n`;
const msg = 'message OrderPlaced {\n  string order_id = 1;\n}';

new RuleTester().run(rule, {
  avro: {
    valid: [avsc('com.acme.orders.v1'), avsc('com.acme.orders.v2beta1'), avsc('com.acme.ads.v22.errors'), avsc('com.acme.vision.v1p4beta1'), { schema: avsc('com.acme.orders'), options: { requireVersion: false } }],
    invalid: [
      { schema: avsc(undefined), errors: [{ messageId: 'missingNamespace', line: 2, column: 29 }] },
      { schema: avsc('com.acme.orders'), errors: [{ messageId: 'unversioned', line: 2, column: 29, data: { namespace: 'com.acme.orders' } }] },
    ],
  },
  avdl: {
    valid: ['@namespace("com.acme.orders.v1")\nprotocol P {\n  record OrderPlaced {\n    string order_id;\n  }\n}\n'],
    invalid: [
      {
        schema: '@namespace("com.acme.orders")\nprotocol P {\n  record OrderPlaced {\n    string order_id;\n  }\n}\n',
        errors: [{ messageId: 'unversioned', line: 3, column: 10 }],
      },
    ],
  },
  protobuf: {
    valid: [proto(msg)],
    invalid: [
      { schema: proto(msg, [], 'acme.orders'), errors: [{ messageId: 'unversioned', line: 2, column: 1 }] },
      { schema: `syntax = "proto3";\n\n${msg}\n`, errors: [{ messageId: 'missingPackage', line: 1, column: 1 }] },
    ],
  },
});
