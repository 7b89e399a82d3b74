package dev.schemactl.bench;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * Debezium's embedded engine producing every change event to a Kafka broker, for the CDC benchmarks.
 *
 * <p>Usage: {@code java -cp target/classes:target/lib/* dev.schemactl.bench.DebeziumBench engine.properties}.
 * The properties file holds the engine's and the connector's settings as Debezium documents them
 * (connector.class, offset.storage, database.*, table.include.list, …; any connector works) plus the
 * harness's own keys:
 *
 * <ul>
 *   <li>{@code bench.bootstrap}: the broker; {@code bench.topic}: the one topic every event goes to;
 *   <li>{@code bench.commit.column} (optional): a bigint column holding the microseconds since the epoch at
 *       which the load generator wrote the row (clock_timestamp()); the harness then also reports
 *       write → ack latency per event from it;
 *   <li>{@code bench.producer.*}: extra producer settings (e.g. bench.producer.compression.type=lz4).
 * </ul>
 *
 * <p>Guarantees as schemactl's: an idempotent acks=all producer, and the engine's offsets are marked
 * processed only after the broker acknowledged every event of the batch, so a restart resumes after the
 * last acknowledged batch. Events are serialised with Kafka Connect's JsonConverter with schemas disabled
 * (the Debezium envelope as plain JSON, no schema registry): the lightest serialisation Debezium ships,
 * which favours Debezium against schemactl's registered Avro.
 *
 * <p>Output on stdout, one JSON object per line: {@code {"msg":"progress","time":…,"read":n}} after each
 * acknowledged batch (n counts the row change events since start, like the CLI's progress line), and on exit
 * {@code {"msg":"summary",…}} with the counts and, with bench.commit.column, latency percentiles.
 */
public final class DebeziumBench {
  static {
    // the engine logs a lot at INFO; warnings and errors still reach stderr
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", System.getProperty("bench.log", "warn"));
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
  }

  private DebeziumBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: DebeziumBench <engine.properties>");
      System.exit(2);
    }
    Properties all = new Properties();
    try (InputStreamReader in = new InputStreamReader(new FileInputStream(args[0]), StandardCharsets.UTF_8)) {
      all.load(in);
    }
    Properties engineProps = new Properties();
    Properties producerProps = new Properties();
    String bootstrap = null;
    String topic = null;
    String commitColumn = null;
    for (String k : all.stringPropertyNames()) {
      String v = all.getProperty(k);
      if (k.equals("bench.bootstrap")) bootstrap = v;
      else if (k.equals("bench.topic")) topic = v;
      else if (k.equals("bench.commit.column")) commitColumn = v;
      else if (k.startsWith("bench.producer.")) producerProps.setProperty(k.substring("bench.producer.".length()), v);
      else engineProps.setProperty(k, v);
    }
    if (bootstrap == null || topic == null) {
      System.err.println("bench.bootstrap and bench.topic are required");
      System.exit(2);
    }

    producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    producerProps.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps);

    JsonConverter keys = new JsonConverter();
    keys.configure(Map.of("schemas.enable", "false"), true);
    JsonConverter values = new JsonConverter();
    values.configure(Map.of("schemas.enable", "false"), false);

    Sink sink = new Sink(producer, keys, values, topic, commitColumn);
    ExecutorService executor = Executors.newSingleThreadExecutor();
    CountDownLatch finished = new CountDownLatch(1);
    DebeziumEngine<RecordChangeEvent<SourceRecord>> engine =
        DebeziumEngine.create(ChangeEventFormat.of(io.debezium.embedded.Connect.class))
            .using(engineProps)
            .notifying(sink)
            .using((success, message, error) -> {
              if (!success) {
                System.err.println("engine stopped: " + message + (error != null ? " " + error : ""));
                if (error != null) error.printStackTrace();
              }
              sink.failed = !success;
              finished.countDown();
            })
            .build();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    engine.close();
                    finished.await(30, TimeUnit.SECONDS);
                  } catch (Exception e) {
                    e.printStackTrace();
                  }
                  producer.close();
                  sink.summary();
                }));
    executor.execute(engine);
    finished.await();
    executor.shutdown();
    // a failed start (connector refused the server, bad settings) ends the process with 1
    if (sink.failed) {
      sink.summary();
      Runtime.getRuntime().halt(1);
    }
    System.exit(0);
  }

  /** Produces each batch, waits for every ack, then marks the batch processed (offsets may advance). */
  static final class Sink implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>> {
    private final KafkaProducer<byte[], byte[]> producer;
    private final JsonConverter keys;
    private final JsonConverter values;
    private final String topic;
    private final String commitColumn;
    private long read;
    private long tombstones;
    private long[] latencyUs = new long[1 << 16];
    private int latencies;
    volatile boolean failed;

    Sink(KafkaProducer<byte[], byte[]> producer, JsonConverter keys, JsonConverter values, String topic, String commitColumn) {
      this.producer = producer;
      this.keys = keys;
      this.values = values;
      this.topic = topic;
      this.commitColumn = commitColumn;
    }

    @Override
    public void handleBatch(List<RecordChangeEvent<SourceRecord>> batch, DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
        throws InterruptedException {
      long entered = System.nanoTime();
      List<Future<RecordMetadata>> acks = new ArrayList<>(batch.size());
      List<Long> written = commitColumn != null ? new ArrayList<>(batch.size()) : null;
      for (RecordChangeEvent<SourceRecord> event : batch) {
        SourceRecord r = event.record();
        byte[] key = r.key() == null ? null : keys.fromConnectData(topic, r.keySchema(), r.key());
        byte[] value = r.value() == null ? null : values.fromConnectData(topic, r.valueSchema(), r.value());
        if (value == null) tombstones++;
        acks.add(producer.send(new ProducerRecord<>(topic, key, value)));
        if (written != null) written.add(writtenAt(r));
      }
      try {
        for (Future<RecordMetadata> f : acks) f.get();
      } catch (java.util.concurrent.ExecutionException e) {
        // no offset moves past an event the broker did not take
        throw new RuntimeException("the broker refused an event", e.getCause());
      }
      Instant now = Instant.now();
      long nowUs = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
      for (RecordChangeEvent<SourceRecord> event : batch) committer.markProcessed(event);
      committer.markBatchFinished();
      // `read` counts row change events only (an envelope with an op), not the MySQL connector's
      // schema-change events, so it matches the rows the load generator wrote
      for (RecordChangeEvent<SourceRecord> event : batch) if (isRowEvent(event.record())) read++;
      if (written != null) {
        for (Long w : written) {
          if (w == null) continue;
          if (latencies == latencyUs.length) latencyUs = Arrays.copyOf(latencyUs, latencies * 2);
          latencyUs[latencies++] = nowUs - w;
        }
      }
      System.out.println("{\"msg\":\"progress\",\"time\":\"" + now + "\",\"timeUs\":" + nowUs + ",\"read\":" + read + ",\"batch\":" + batch.size()
          + ",\"handleMs\":" + (System.nanoTime() - entered) / 1_000_000 + "}");
      System.out.flush();
    }

    private static boolean isRowEvent(SourceRecord r) {
      if (r.value() == null) return false;
      return r.value() instanceof Struct && ((Struct) r.value()).schema().field("op") != null;
    }

    /** The load generator's write time of a row, from the change event's after (or before) image. */
    private Long writtenAt(SourceRecord r) {
      if (!(r.value() instanceof Struct)) return null;
      Struct envelope = (Struct) r.value();
      Field after = envelope.schema().field("after");
      if (after == null) return null;
      Struct row = envelope.getStruct("after");
      if (row == null || row.schema().field(commitColumn) == null) return null;
      Object v = row.get(commitColumn);
      // a timestamp with time zone arrives as an ISO-8601 string (io.debezium.time.ZonedTimestamp); a bigint
      // as microseconds since the epoch
      if (v instanceof String) {
        Instant t = Instant.parse((String) v);
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
      }
      return v instanceof Number ? ((Number) v).longValue() : null;
    }

    synchronized void summary() {
      long[] l = Arrays.copyOf(latencyUs, latencies);
      Arrays.sort(l);
      StringBuilder s = new StringBuilder("{\"msg\":\"summary\",\"read\":").append(read).append(",\"tombstones\":").append(tombstones);
      if (commitColumn != null) {
        s.append(",\"latencies\":").append(l.length);
        if (l.length > 0) {
          s.append(",\"p50ms\":").append(l[Math.min(l.length - 1, l.length / 2)] / 1000.0);
          s.append(",\"p99ms\":").append(l[Math.min(l.length - 1, (int) (l.length * 0.99))] / 1000.0);
          s.append(",\"maxms\":").append(l[l.length - 1] / 1000.0);
        }
      }
      System.out.println(s.append('}'));
      System.out.flush();
    }
  }
}
