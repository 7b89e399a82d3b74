// A type's full name is its identity in the registry and in generated code; without a namespace or
// package, types from different teams collide, and without a version segment a breaking redesign has
// nowhere to go.
import { defineRule } from '../src/lint/rule.js';
import { FILE_START } from './util.js';

type Options = {
  /** require the last namespace/package segment to be a version such as v1 or v1beta1 */
  requireVersion: boolean;
};

/** `v1`, `v2beta1`, and the point releases buf also accepts (`v1p1beta1`) */
const VERSION = /^v\d+(p\d+)?((alpha|beta|test)\d*)?$/;

/**
 * Versioned: the last segment is a version, or a version segment is followed only by sub-packages of
 * that version (`google.ads.googleads.v22.errors`): either way a breaking redesign has `v23` to move to.
 */
function versioned(namespace: string): boolean {
  return namespace.split('.').some((seg) => VERSION.test(seg));
}

export default defineRule<'missingNamespace' | 'missingPackage' | 'unversioned', Options>({
  meta: {
    id: 'namespace-required',
    description: 'Every schema has a namespace (Avro) or package (Protobuf) with a version segment such as `.v1`',
    defaultSeverity: 'warn',
    category: 'hygiene',
    formats: ['avro', 'protobuf'],
    rationale:
      'The full name (namespace + name) is how Avro resolves types and how Protobuf identifies messages, and it ' +
      'becomes the package of generated code. Without one, `OrderPlaced` from two teams collide. A version segment ' +
      '(`com.acme.orders.v1`, `acme.orders.v1`, or sub-packages of a version such as `google.ads.googleads.v22.errors`) ' +
      'gives an intentionally breaking redesign a new home (`v2`) beside the old one instead of a forced migration; ' +
      'buf\'s PACKAGE_VERSION_SUFFIX is stricter and wants it last. Set ' +
      '`requireVersion: false` to only require a namespace.',
    messages: {
      missingNamespace:
        'Type `{{name}}` has no namespace, so its full name is just `{{name}}` and collides with any other team\'s ' +
        'type of that name. Add `"namespace": "{{suggestion}}"`.',
      missingPackage:
        'This file declares no package, so its messages live in the global scope and collide with any other file ' +
        'that defines the same names. Add `package {{suggestion}};`.',
      unversioned:
        '{{what}} `{{namespace}}` has no version segment, so a breaking redesign has no new name to move to. ' +
        'Use `{{namespace}}.v1`.',
    },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { requireVersion: { type: 'boolean' } },
    },
    defaultOptions: { requireVersion: true },
    examples: {
      avro: {
        valid: JSON.stringify({ type: 'record', name: 'OrderPlaced', namespace: 'com.acme.orders.v1', fields: [{ name: 'order_id', type: 'string' }] }, null, 2),
        invalid: JSON.stringify({ type: 'record', name: 'OrderPlaced', fields: [{ name: 'order_id', type: 'string' }] }, null, 2),
      },
      protobuf: {
        valid: 'syntax = "proto3";\npackage acme.orders.v1;\n\nmessage OrderPlaced {\n  string order_id = 1;\n}\n',
        invalid: 'syntax = "proto3";\npackage acme.orders;\n\nmessage OrderPlaced {\n  string order_id = 1;\n}\n',
      },
    },
  },
  create(ctx) {
    const requireVersion = ctx.options.requireVersion ?? true;
    return {
      document(doc) {
        if (doc.format === 'protobuf') {
          if (doc.namespace === '') {
            ctx.report({ messageId: 'missingPackage', loc: FILE_START, path: '', data: { suggestion: 'acme.<domain>.v1' } });
          } else if (requireVersion && !versioned(doc.namespace)) {
            ctx.report({
              messageId: 'unversioned', loc: doc.packageLoc ?? FILE_START, path: '',
              data: { what: 'Package', namespace: doc.namespace },
            });
          }
          return;
        }
        // Avro: each top-level named type (an .avdl protocol lists several; nested ones inherit)
        const seen = new Set<string>();
        const byName = new Map(doc.types.map((x) => [x.fullName, x] as const));
        for (const name of doc.topLevel) {
          const t = byName.get(name);
          if (!t) continue;
          if (t.namespace === '') {
            ctx.report({ messageId: 'missingNamespace', node: t, data: { name: t.name, suggestion: 'com.acme.<domain>.v1' } });
          } else if (requireVersion && !seen.has(t.namespace) && !versioned(t.namespace)) {
            seen.add(t.namespace);
            ctx.report({ messageId: 'unversioned', node: t, data: { what: 'Namespace', namespace: t.namespace } });
          }
        }
      },
    };
  },
});
