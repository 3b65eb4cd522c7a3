/**
 * The one module that opens connections: a PUT of the exposition text to a
 * Prometheus Pushgateway, under `job="claude_code_cost"` and the instance's
 * label. Built as its own bundle (dist/push.js) and loaded only when an
 * export URL is set, so the default meter and CLI never load network code.
 *
 * Connections go only to the configured host: no redirect is followed, no
 * proxy is read from the environment, no other address is ever built.
 */
import * as http from 'node:http';
import * as https from 'node:https';

const JOB = 'claude_code_cost';

export interface PushTarget {
  /** The Pushgateway's base URL (checked by `checkPushgatewayUrl`). */
  url: URL;
  instance: string;
  /** Sent as `Authorization: Bearer <token>` when set. */
  token?: string | undefined;
  timeoutMs?: number;
}

export type PushFailureKind = 'refused' | 'unreachable' | 'timeout' | 'tls-error' | 'status' | 'other';

export type PushResult = { ok: true; status: number } | { ok: false; kind: PushFailureKind; status?: number; message: string };

/** A base URL a push may go to, or why not. */
export function checkPushgatewayUrl(text: string): { url: URL } | { problem: string } {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { problem: `"${text}" is not a URL (expected the Pushgateway's base URL with http or https, e.g. pushgateway.example:9091)` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { problem: `"${text}": only http: and https: URLs are supported` };
  }
  if (url.username !== '' || url.password !== '') {
    return { problem: `"${url.host}": put no credentials in the URL; set a token instead` };
  }
  if (url.search !== '' || url.hash !== '') {
    return { problem: `"${text}": the URL may not have a query or a fragment` };
  }
  return { url };
}

/** `<base>/metrics/job/claude_code_cost/instance/<instance>` (base64url-encoded when not plain). */
export function groupingPath(base: URL, instance: string): string {
  const prefix = base.pathname.replace(/\/+$/, '');
  const plain = /^[A-Za-z0-9._@:+-]+$/.test(instance);
  const tail = plain ? `instance/${instance}` : `instance@base64/${Buffer.from(instance, 'utf8').toString('base64url')}`;
  return `${prefix}/metrics/job/${JOB}/${tail}`;
}

const TLS_CODES = /^(ERR_TLS|ERR_SSL|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|EPROTO|HOSTNAME_MISMATCH|ERR_OSSL)/;

function describeError(err: NodeJS.ErrnoException, target: PushTarget): { kind: PushFailureKind; message: string } {
  const where = target.url.host;
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') {
    return { kind: 'refused', message: `connection to ${where} refused (is the Pushgateway running?)` };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return { kind: 'unreachable', message: `${where} is unreachable (${code})` };
  }
  if (code === 'ETIMEDOUT' || code === 'ECONNRESET' || code === 'EPIPE') {
    return { kind: 'timeout', message: `connection to ${where} was cut (${code})` };
  }
  if (TLS_CODES.test(code) || /certificate|ssl|tls/i.test(err.message)) {
    return { kind: 'tls-error', message: `TLS error with ${where}: ${err.message}` };
  }
  return { kind: 'other', message: `push to ${where} failed: ${err.message}` };
}

/** One PUT; never throws. */
export function putMetrics(target: PushTarget, body: string): Promise<PushResult> {
  const bytes = Buffer.from(body, 'utf8');
  const headers: Record<string, string | number> = {
    'Content-Type': 'text/plain; version=0.0.4; charset=utf-8',
    'Content-Length': bytes.length,
  };
  if (target.token) {
    headers.Authorization = `Bearer ${target.token}`;
  }
  const url = target.url;
  const options: http.RequestOptions = {
    method: 'PUT',
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? undefined : Number(url.port),
    path: groupingPath(url, target.instance),
    headers,
    // One connection per push, to the configured host only.
    agent: false,
  };
  const timeoutMs = target.timeoutMs ?? 10_000;
  return new Promise<PushResult>((resolve) => {
    let settled = false;
    const done = (r: PushResult): void => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    let req: http.ClientRequest;
    try {
      req = (url.protocol === 'https:' ? https : http).request(options, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          if (text.length < 500) {
            text += c;
          }
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            done({ ok: true, status });
          } else {
            const said = text.trim().replace(/\s+/g, ' ').slice(0, 200);
            done({ ok: false, kind: 'status', status, message: `${url.host} answered ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}${said ? `: ${said}` : ''}` });
          }
        });
        res.on('error', (e: NodeJS.ErrnoException) => done({ ok: false, ...describeError(e, target) }));
      });
    } catch (e) {
      done({ ok: false, kind: 'other', message: `push to ${url.host} failed: ${e instanceof Error ? e.message : String(e)}` });
      return;
    }
    req.setTimeout(timeoutMs, () => {
      done({ ok: false, kind: 'timeout', message: `no answer from ${url.host} within ${timeoutMs / 1000} s` });
      req.destroy();
    });
    req.on('error', (e: NodeJS.ErrnoException) => done({ ok: false, ...describeError(e, target) }));
    req.end(bytes);
  });
}

/** What to tell the user about a failure (one line). */
export function failureHint(r: Extract<PushResult, { ok: false }>): string {
  switch (r.kind) {
    case 'refused':
    case 'unreachable':
    case 'timeout':
      return 'check the Pushgateway URL and that it is running (the next push sends the whole state again)';
    case 'tls-error':
      return 'check the certificate of the Pushgateway (or use plain HTTP on a trusted network)';
    case 'status':
      return r.status === 401 || r.status === 403 ? 'check the push token' : r.status !== undefined && r.status < 500 ? 'the Pushgateway rejected the push; see the log' : 'the Pushgateway failed (the next push sends the whole state again)';
    case 'other':
      return 'see the log';
    default: {
      const never: never = r.kind;
      return never;
    }
  }
}

/** Up to `attempts` PUTs, waiting `baseDelayMs`, then twice as long, … between them (for the CLI). */
export async function pushWithRetry(
  target: PushTarget,
  body: string,
  attempts = 3,
  baseDelayMs = 1_000,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<PushResult & { attempts: number }> {
  let last: PushResult = { ok: false, kind: 'other', message: 'no attempt made' };
  for (let i = 0; i < attempts; i++) {
    if (i > 0) {
      await sleep(baseDelayMs * 2 ** (i - 1));
    }
    last = await putMetrics(target, body);
    if (last.ok) {
      return { ...last, attempts: i + 1 };
    }
  }
  return { ...last, attempts };
}

export type PushStatus = { kind: 'ok'; atMs: number } | { kind: 'failing'; message: string; hint: string; failures: number; retryInMs: number };

export interface PusherOptions {
  target: PushTarget;
  /** The exposition text now; undefined while there is nothing to send yet (first scan). */
  render: () => string | undefined;
  /** Minimum time between two pushes, ms. */
  intervalMs: number;
  /** Longest wait after failures, ms (default 10 minutes). */
  maxBackoffMs?: number;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  onStatus: (status: PushStatus) => void;
  now?: () => number;
}

/**
 * Pushes after each change, coalesced to one push per interval. A failed
 * push keeps the state to send and retries after 2, 4, 8… intervals (at
 * most `maxBackoffMs`); each push sends the whole state, so nothing is lost.
 * A failure is logged once per distinct message, and once when it recovers.
 */
export class Pusher {
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private nextAtMs = 0;
  private failures = 0;
  private lastProblem: string | undefined;
  private disposed = false;

  constructor(private readonly options: PusherOptions) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Something changed: push it within the interval. */
  changed(): void {
    this.dirty = true;
    this.arm();
  }

  private arm(): void {
    if (this.disposed || this.timer !== undefined || this.inFlight !== undefined || !this.dirty) {
      return;
    }
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.inFlight = this.pushNow().finally(() => {
          this.inFlight = undefined;
          this.arm();
        });
      },
      Math.max(0, this.nextAtMs - this.now()),
    );
    this.timer.unref();
  }

  private async pushNow(timeoutMs?: number): Promise<void> {
    if (!this.dirty) {
      return;
    }
    this.dirty = false;
    const body = this.options.render();
    if (body === undefined) {
      return;
    }
    const target = timeoutMs === undefined ? this.options.target : { ...this.options.target, timeoutMs };
    const result = await putMetrics(target, body);
    const interval = this.options.intervalMs;
    if (result.ok) {
      if (this.failures > 0) {
        this.options.log('info', `team export: pushed to ${this.options.target.url.host} again after ${this.failures} failed attempt(s)`);
      }
      this.failures = 0;
      this.lastProblem = undefined;
      this.nextAtMs = this.now() + interval;
      this.options.onStatus({ kind: 'ok', atMs: this.now() });
      return;
    }
    // Not delivered: the (whole) state is sent again later.
    this.dirty = true;
    this.failures++;
    const wait = Math.min(interval * 2 ** Math.min(this.failures, 20), this.options.maxBackoffMs ?? 600_000);
    this.nextAtMs = this.now() + wait;
    const hint = failureHint(result);
    if (result.message !== this.lastProblem) {
      this.lastProblem = result.message;
      this.options.log('warn', `team export: ${result.message}; ${hint}`);
    }
    this.options.onStatus({ kind: 'failing', message: result.message, hint, failures: this.failures, retryInMs: wait });
  }

  /** At shutdown: one last push of the current state (no retry), after any push in flight. */
  async flush(timeoutMs?: number): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.disposed = true;
    await this.inFlight;
    this.dirty = true;
    await this.pushNow(timeoutMs);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}
