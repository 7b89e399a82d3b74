// Starts and stops a real single-node Apache Kafka 4.x broker (KRaft, combined broker+controller) from
// the Maven Central jars fetched by test/support/kafka/pom.xml. Tests and benchmarks use it; fault
// tests kill and restart the real JVM process.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';

const here = dirname(fileURLToPath(import.meta.url));
export const KAFKA_DIR = join(here, 'kafka');
export const KAFKA_LIB = join(KAFKA_DIR, 'target', 'lib');
const KAFKA_JAR = 'kafka-server-4.1.1.jar';

/** Fetch the broker's jars with Maven if they are not there yet (idempotent, ~10 s on first run). */
export function ensureKafkaJars(): void {
  if (existsSync(join(KAFKA_LIB, KAFKA_JAR))) return;
  const r = spawnSync('mvn', ['-q', '-B', '-f', join(KAFKA_DIR, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${KAFKA_LIB}`], {
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error(`fetching the Kafka jars with Maven failed (exit ${r.status}); run: mvn -f ${join(KAFKA_DIR, 'pom.xml')} dependency:copy-dependencies -DoutputDirectory=${KAFKA_LIB}`);
}

/**
 * A storage directory formatted for this file's broker configuration (node 1, combined broker and
 * controller), made once per fetch of the jars and copied into each new broker's data directory.
 * Formatting starts a JVM (several seconds of CPU on this kind of machine), and what it writes (the
 * cluster id, the node id, the metadata version's bootstrap records) holds no port or path, so every
 * broker can start from the same copy: each is its own one-node cluster.
 */
async function formattedStorage(): Promise<string> {
  const template = join(KAFKA_DIR, 'target', `formatted-${KAFKA_JAR.replace(/\.jar$/, '')}`);
  if (existsSync(join(template, 'meta.properties'))) return template;
  const work = mkdtempSync(`${template}-`);
  try {
    const data = join(work, 'data');
    const props = join(work, 'server.properties');
    writeFileSync(props, [
      'process.roles=broker,controller', 'node.id=1', 'controller.quorum.voters=1@127.0.0.1:9093',
      'listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093', 'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT', `log.dirs=${data}`, '',
    ].join('\n'));
    // a Kafka cluster id: 16 random bytes in URL-safe base64 without padding, not starting with '-'
    let id = '';
    do id = randomBytes(16).toString('base64url'); while (id.startsWith('-'));
    const fmt = await new Promise<{ code: number | null; out: string }>((res) => {
      const c = spawn('java', ['-cp', `${KAFKA_LIB}/*`, 'kafka.tools.StorageTool', 'format', '-t', id, '-c', props], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      c.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      c.stderr.on('data', (d: Buffer) => { out += d.toString(); });
      c.once('close', (code) => res({ code, out }));
    });
    if (fmt.code !== 0 || !existsSync(join(data, 'meta.properties'))) throw new Error(`formatting the Kafka storage failed: ${fmt.out}`);
    // brokers starting at once each format one; the first rename wins and the others use it
    try {
      renameSync(data, template);
    } catch {
      if (!existsSync(join(template, 'meta.properties'))) throw new Error(`could not keep the formatted Kafka storage in ${template}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return template;
}

function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((res) => {
    const s = createConnection({ port, host });
    s.once('connect', () => { s.destroy(); res(true); });
    s.once('error', () => res(false));
  });
}

export interface KafkaBroker {
  bootstrap: string;
  port: number;
  dataDir: string;
  /** SIGKILL the broker process (data stays on disk). */
  kill(): Promise<void>;
  /** Start it again on the same data directory and port. */
  start(): Promise<void>;
  /** Graceful stop and remove the data directory. */
  stop(): Promise<void>;
  pid(): number | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startKafka(opts: { workDir: string; port?: number; controllerPort?: number; heap?: string }): Promise<KafkaBroker> {
  ensureKafkaJars();
  const port = opts.port ?? (await freePort());
  const controllerPort = opts.controllerPort ?? (await freePort());
  const dataDir = resolve(opts.workDir, 'kafka-data');
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(opts.workDir, { recursive: true });
  const props = join(opts.workDir, 'server.properties');
  writeFileSync(props, [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${dataDir}`,
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=3',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'num.partitions=1',
    'auto.create.topics.enable=true',
    'group.initial.rebalance.delay.ms=0',
    'log.flush.interval.messages=1',
    '',
  ].join('\n'));
  const cp = `${KAFKA_LIB}/*`;
  cpSync(await formattedStorage(), dataDir, { recursive: true });

  let child: ChildProcess | undefined;
  const logFile = join(opts.workDir, 'kafka.log');
  const start = async () => {
    if (await portOpen(port)) throw new Error(`port ${port} is already in use; is another broker running?`);
    const out = openSync(logFile, 'a');
    child = spawn('java', [
      `-Xmx${opts.heap ?? '768m'}`, '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1',
      `-Dlog4j2.configurationFile=${join(KAFKA_DIR, 'log4j2.properties')}`,
      '-cp', cp, 'kafka.Kafka', props,
    ], { stdio: ['ignore', out, out], detached: false });
    // a JVM start takes 5-10 s on a quiet machine and over a minute on a loaded 2-core one
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`the Kafka broker exited with ${child.exitCode}; see ${logFile}:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
      if (await portOpen(port)) return;
      await sleep(200);
    }
    throw new Error(`the Kafka broker did not open port ${port} within 180 s; see ${logFile}`);
  };
  const waitExit = async (c: ChildProcess) => {
    if (c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((r) => c.once('exit', () => r()));
  };
  await start();
  process.once('exit', () => { child?.kill('SIGKILL'); });
  return {
    bootstrap: `127.0.0.1:${port}`,
    port,
    dataDir,
    pid: () => child?.pid,
    start,
    async kill() {
      if (!child) return;
      child.kill('SIGKILL');
      await waitExit(child);
      // the controller port is released with the process; the listener may linger briefly
      while (await portOpen(port)) await sleep(100);
    },
    async stop() {
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const c = child;
        // a timer, not a sleep: a pending sleep would keep the process that stops the broker alive
        const t = setTimeout(() => c.kill('SIGKILL'), 20_000);
        await waitExit(c);
        clearTimeout(t);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
