// Every default of the config and the file discovery in one place.

/** Names looked for, in this order, in the working directory and each parent. */
export const CONFIG_FILE_NAMES = ['schemactl.yaml', 'schemactl.yml'] as const;

/** A stream without `kind` is a store stream: one event type, kept. */
export const DEFAULT_STREAM_KIND = 'store' as const;

/** Protobuf import roots when `include_paths` is absent, relative to the config directory. */
export const DEFAULT_INCLUDE_PATHS: readonly string[] = ['.'];

/** Extensions `schemactl lint <dir>` picks up when walking a directory. */
export const SCHEMA_EXTENSIONS: readonly string[] = ['.avsc', '.avdl', '.proto'];

/** Directories never walked into when expanding a directory or glob argument. */
export const IGNORED_DIRECTORIES: readonly string[] = ['node_modules', '.git', 'dist'];

/** Files read concurrently once reads are slow; bounded so large catalogs do not exhaust file descriptors. */
export const READ_CONCURRENCY = 128;

/**
 * Files are read synchronously while the average read stays under SLOW_READ_MS (a page-cache hit
 * takes ~0.01 ms); the average is first judged after SLOW_READ_SAMPLE files.
 */
export const SLOW_READ_MS = 0.25;
export const SLOW_READ_SAMPLE = 32;

/** Default baseline file name, relative to the config directory. */
export const DEFAULT_BASELINE_FILE = '.schemactl-baseline.json';
