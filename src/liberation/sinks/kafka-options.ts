// The settings every schemactl Kafka sink shares: the catalog's `kafka:` section as the sinks take it,
// and the client options built from it (the transactional sink adds its id).
import { kafka } from '../kafka-client.js';

export interface KafkaSinkConfig {
  brokers: string[];
  clientId?: string;
  compression?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  /** request timeout per produce call, ms */
  timeoutMs?: number;
  /** records per produce request; a batch from the engine is split into chunks of this size */
  chunk?: number;
  /** number of client-level retries for one produce request before the engine's own retry takes over */
  retries?: number;
}

/** The producer settings every schemactl Kafka sink shares (the transactional one adds its id). */
export function producerOptions(cfg: KafkaSinkConfig) {
  return {
    clientId: cfg.clientId ?? 'schemactl-publish',
    bootstrapBrokers: cfg.brokers,
    idempotent: true,
    acks: kafka.ProduceAcks.ALL,
    compression: cfg.compression ?? 'lz4',
    // Java's partitioner (murmur2 & 0x7fffffff): keys land where a Java producer would put them
    partitioner: kafka.compatibilityPartitioner,
    autocreateTopics: true,
    timeout: cfg.timeoutMs ?? 30_000,
    retries: cfg.retries ?? 3,
    retryDelay: 250,
    serializers: {
      key: (k?: Buffer) => k,
      value: (v?: Buffer) => v,
      headerKey: (k?: string) => (k === undefined ? undefined : Buffer.from(k)),
      headerValue: (v?: string) => (v === undefined ? undefined : Buffer.from(v)),
    },
  } as const;
}
