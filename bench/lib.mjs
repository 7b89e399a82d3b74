// Helpers the benchmarks share, so every bench draws the same inputs, summarises latencies the same
// way and runs the CLI laid out the same way.
import { spawn, spawnSync } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { copyFileSync, cpSync, existsSync, mkdirSync, openSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The current sources compiled into `out` and laid out like an installation: dist/ (tsc only, no
 * bundle: the launcher falls back to dist/src/cli/main.js), the whole bin/ folder — the launcher is
 * CommonJS through bin/package.json, and alone it would load as an ES module and fail — package.json,
 * the catalog's JSON Schema and node_modules (linked). Returns the launcher's path.
 */
export function buildCli(out) {
  // built as `npm run build` builds it (tsc, the precompiled config validator, the joined lint files), so a
  // bench pays what an installed CLI pays and not, for example, a config-schema compile at every start
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`building the CLI failed:\n${build.stdout}${build.stderr}`);
  rmSync(join(out, 'dist'), { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  cpSync(join(ROOT, 'dist'), join(out, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'bin'), join(out, 'bin'), { recursive: true }); // with bin/package.json (CommonJS)
  for (const f of ['package.json', 'schemactl.schema.json']) copyFileSync(join(ROOT, f), join(out, f));
  if (!existsSync(join(out, 'node_modules'))) symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'));
  return join(out, 'bin/schemactl.js');
}

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); });
  });
}

export function portOpen(port) {
  return new Promise((res) => {
    const s = createConnection({ port, host: '127.0.0.1' });
    s.once('connect', () => { s.destroy(); res(true); });
    s.once('error', () => res(false));
  });
}

/**
 * A single-node KRaft broker from the jars test/support/kafka/pom.xml fetches (the tests' broker,
 * default flush policy), its data in `dir`. `children` collects the process so the caller can kill it
 * on exit; `extraProps` are more server.properties lines.
 */
export async function startKafka(dir, children, extraProps = []) {
  const lib = join(ROOT, 'test/support/kafka/target/lib');
  if (!existsSync(join(lib, 'kafka-server-4.1.1.jar'))) {
    const r = spawnSync('mvn', ['-q', '-B', '-f', join(ROOT, 'test/support/kafka/pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${lib}`], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('fetching the Kafka jars with Maven failed');
  }
  const port = await freePort();
  const cport = await freePort();
  const data = join(dir, 'kafka-data');
  const props = join(dir, 'server.properties');
  writeFileSync(props, [
    'process.roles=broker,controller', 'node.id=1', `controller.quorum.voters=1@127.0.0.1:${cport}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${cport}`, `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER', 'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${data}`, 'offsets.topic.replication.factor=1', 'offsets.topic.num.partitions=1', 'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1', 'num.partitions=1', 'auto.create.topics.enable=true', ...extraProps, '',
  ].join('\n'));
  const cp = `${lib}/*`;
  const id = spawnSync('java', ['-cp', cp, 'kafka.tools.StorageTool', 'random-uuid'], { encoding: 'utf8' }).stdout.trim();
  const formatted = spawnSync('java', ['-cp', cp, 'kafka.tools.StorageTool', 'format', '-t', id, '-c', props], { encoding: 'utf8' });
  if (formatted.status !== 0) throw new Error(`formatting Kafka storage failed: ${formatted.stderr}`);
  const log = openSync(join(dir, 'kafka.log'), 'a');
  const child = spawn('java', ['-Xmx1g', '-XX:+UseSerialGC', `-Dlog4j2.configurationFile=${join(ROOT, 'test/support/kafka/log4j2.properties')}`, '-cp', cp, 'kafka.Kafka', props], { stdio: ['ignore', log, log] });
  children.add(child);
  const deadline = Date.now() + 180_000; // a loaded machine starts the JVM slowly
  while (!(await portOpen(port))) {
    if (child.exitCode !== null) throw new Error(`Kafka exited; see ${join(dir, 'kafka.log')}`);
    if (Date.now() > deadline) throw new Error('Kafka did not start within 180 s');
    await sleep(200);
  }
  return {
    bootstrap: `127.0.0.1:${port}`, lib, pid: child.pid,
    stop: async () => {
      child.kill('SIGTERM');
      await Promise.race([new Promise((r) => child.once('exit', r)), sleep(20_000).then(() => child.kill('SIGKILL'))]);
      children.delete(child);
    },
  };
}

// mulberry32: a tiny seeded PRNG, so every run measures byte-identical inputs
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An ascending copy of numeric samples (a typed array included). */
export function ascending(samples) {
  return [...samples].sort((a, b) => a - b);
}

/**
 * The p-th percentile (0 to 100) of ascending samples by nearest rank, rounding down, so p100 is the
 * maximum; NaN when there are no samples.
 */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
