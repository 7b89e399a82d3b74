// What the MySQL/MariaDB log-pattern tests start: a throwaway MariaDB with a row-based binary log, the
// run's shared broker, a registry of their own and the built CLI; and how they are stopped.
import path from 'node:path';
import mysql from 'mysql2/promise';
import { serveRegistry, type ServedRegistry } from '../../src/registry/index.js';
import { startMariadb, type MariadbInstance } from './mariadb-instance.js';
import { buildPublisherCli, tempDir } from './publisher.js';
import { sharedKafka, type SharedKafka } from './shared-kafka.js';

export interface BinlogServices {
  maria: MariadbInstance;
  broker: SharedKafka;
  registry: ServedRegistry;
  /** a connection to the server, with the caller's options */
  db: mysql.Connection;
  /** the file's scratch folder */
  work: string;
}

export async function startBinlogServices(name: string, connection: Omit<mysql.ConnectionOptions, 'uri'> = {}): Promise<BinlogServices> {
  const work = tempDir(name);
  const [maria, broker, registry] = await Promise.all([
    startMariadb({ logBin: true }),
    sharedKafka(),
    serveRegistry({ port: 0, dataDir: path.join(work, 'registry') }),
    buildPublisherCli(),
  ]);
  const db = await mysql.createConnection({ uri: maria.url, ...connection });
  return { maria, broker, registry, db, work };
}

/** Stops what started; tolerates a set-up that failed part-way (any of them undefined). */
export async function stopBinlogServices(s: Partial<BinlogServices>): Promise<void> {
  await s.db?.end();
  await s.registry?.close();
  await Promise.all([s.maria?.stop(), s.broker?.stop()]);
}
