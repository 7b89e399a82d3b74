// lint-staged.config.mjs — staged schemas are linted by file; a staged catalog lints every stream it
// names. schemactl exits 1 on errors and 2 on unparseable schemas, either of which stops the commit.
export default {
  '*.{avsc,avdl,proto}': 'schemactl lint --max-warnings 0',
  '**/schemactl.{yaml,yml}': 'schemactl lint',
};
