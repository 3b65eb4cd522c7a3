/**
 * Real Prometheus and Pushgateway (Debian's `prometheus` 2.42 and
 * `prometheus-pushgateway` 1.5.1, installed by scripts/install-test-vscode.sh)
 * on free 127.0.0.1 ports with temp data folders, for the team export tests.
 * Each process is started here and stopped by its pid; the system services
 * the packages install (fixed ports 9090/9091) are never touched.
 */
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const PUSHGATEWAY_BIN = '/usr/bin/prometheus-pushgateway';

/** Throws (so the test fails, never skips) when a binary is missing. */
export function requireBinaries(): void {
  const missing = [PROMETHEUS_BIN, PUSHGATEWAY_BIN].filter((b) => !fs.existsSync(b));
  if (missing.length > 0) {
    throw new Error(`missing ${missing.join(', ')}: install the Debian packages prometheus and prometheus-pushgateway (bash scripts/install-test-vscode.sh does)`);
  }
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** A GET on 127.0.0.1: status and body (never throws; status 0 when no answer). */
export function get(port: number, pathAndQuery: string, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: pathAndQuery, timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve({ status: 0, body }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve({ status: 0, body: '' }));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits for `check` to resolve true, polling every `everyMs`; throws with `what` after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000, everyMs = 200): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await sleep(everyMs);
  }
}

export class Component {
  private exited = false;
  private output = '';
  private readonly exit: Promise<void>;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly child: cp.ChildProcess,
  ) {
    child.stdout?.on('data', (c: Buffer) => (this.output = (this.output + c.toString()).slice(-4000)));
    child.stderr?.on('data', (c: Buffer) => (this.output = (this.output + c.toString()).slice(-4000)));
    this.exit = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.exit.then(() => (this.exited = true));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get log(): string {
    return this.output;
  }

  async ready(): Promise<void> {
    await until(`${this.name} on port ${this.port} (${this.output.slice(-500)})`, async () => {
      if (this.exited) {
        throw new Error(`${this.name} exited: ${this.output.slice(-1000)}`);
      }
      return (await get(this.port, '/-/ready', 1000)).status === 200;
    });
  }

  /** Stops this process by its pid (SIGKILL: as if it crashed). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.exited && this.child.pid !== undefined) {
      process.kill(this.child.pid, signal);
      const timer = setTimeout(() => {
        if (!this.exited && this.child.pid !== undefined) {
          process.kill(this.child.pid, 'SIGKILL');
        }
      }, 5000);
      await this.exit;
      clearTimeout(timer);
    }
  }
}

/** A Pushgateway without persistence (a restart starts empty; Debian's build defaults to a shared file under /var/lib/prometheus). */
export async function startPushgateway(port: number): Promise<Component> {
  const child = cp.spawn(PUSHGATEWAY_BIN, [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file=', '--log.level=warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const c = new Component('pushgateway', port, child);
  await c.ready();
  return c;
}

/** Prometheus scraping the Pushgateway every `scrapeMs` with honor_labels. */
export async function startPrometheus(port: number, pushgatewayPort: number, dir: string, scrapeMs = 500): Promise<Component> {
  const config = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(
    config,
    [
      'global:',
      `  scrape_interval: ${scrapeMs}ms`,
      `  evaluation_interval: ${scrapeMs}ms`,
      'scrape_configs:',
      '  - job_name: pushgateway',
      '    honor_labels: true',
      `    scrape_interval: ${scrapeMs}ms`,
      `    scrape_timeout: ${scrapeMs}ms`,
      '    static_configs:',
      `      - targets: ['127.0.0.1:${pushgatewayPort}']`,
      '',
    ].join('\n'),
  );
  const child = cp.spawn(
    PROMETHEUS_BIN,
    [`--config.file=${config}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn', '--query.lookback-delta=5s'],
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir },
  );
  const c = new Component('prometheus', port, child);
  await c.ready();
  return c;
}

export interface Sample {
  metric: Record<string, string>;
  value: number;
}

/** An instant PromQL query through Prometheus's HTTP API. */
export async function query(prometheusPort: number, promql: string): Promise<Sample[]> {
  const r = await get(prometheusPort, `/api/v1/query?query=${encodeURIComponent(promql)}`);
  if (r.status !== 200) {
    throw new Error(`query ${promql}: HTTP ${r.status} ${r.body}`);
  }
  const parsed = JSON.parse(r.body) as { data: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  return parsed.data.result.map((s) => ({ metric: s.metric, value: Number(s.value[1]) }));
}
