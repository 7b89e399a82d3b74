// The registry layer's public surface: one `Registry` interface over a remote Confluent-compatible
// registry (HTTP) or the embedded durable store, the REST server, and the wire format.
import { HttpRegistryClient } from './client.js';
import type { ClientOptions } from './client.js';
import { EmbeddedRegistry } from './embedded/store.js';
import type { CompatibilityChecker, Registry } from './types.js';

export * from './types.js';
export { HttpRegistryClient } from './client.js';
export type { ClientOptions, RetryOptions } from './client.js';
export { EmbeddedRegistry, openEmbeddedRegistry, DEFAULT_DATA_DIR } from './embedded/store.js';
export type { EmbeddedOptions } from './embedded/store.js';
export { serveRegistry, CONTENT_TYPE } from './server.js';
export type { ServeOptions, ServedRegistry } from './server.js';
export { encodeFrame, decodeFrame, encodeMessageIndexes, decodeMessageIndexes, WireFormatError, MAGIC_BYTE } from './wire.js';
export type { Framed } from './wire.js';

export type OpenRegistryOptions =
  | ({ url: string } & Omit<ClientOptions, 'url'>)
  | { url?: undefined; dataDir?: string; checkCompatibility?: CompatibilityChecker };

/** A remote registry when a URL is configured, otherwise the embedded store (default `.schemactl/registry`). */
export async function openRegistry(opts: OpenRegistryOptions = {}): Promise<Registry> {
  if (opts.url !== undefined) return new HttpRegistryClient(opts);
  return EmbeddedRegistry.open({
    ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}),
    ...(opts.checkCompatibility ? { checkCompatibility: opts.checkCompatibility } : {}),
  });
}
