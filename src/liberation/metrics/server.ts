// `--metrics-port`: /metrics (Prometheus text), /healthz (the process answers: liveness) and /readyz
// (the gate passed and the streams run; in group mode: joined with a valid lease). Loaded only by
// `publish --metrics-port`, so `lint` never loads an HTTP server.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../../errors.js';
import type { PublishMetrics } from './registry.js';

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

export async function serveMetrics(metrics: PublishMetrics, opts: { port: number; host?: string; ready(): { ok: boolean; why?: string } }): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (url === '/metrics') {
      metrics.render().then(
        (text) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text),
        (e: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${e.message}\n`),
      );
    } else if (url === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else if (url === '/readyz') {
      const r = opts.ready();
      res.writeHead(r.ok ? 200 : 503, { 'content-type': 'text/plain' }).end(r.ok ? 'ready\n' : `not ready: ${r.why ?? 'starting'}\n`);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics, /healthz or /readyz\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(new UsageError(`--metrics-port ${opts.port}: ${e.code === 'EADDRINUSE' ? 'the port is in use' : e.message}`)));
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}
