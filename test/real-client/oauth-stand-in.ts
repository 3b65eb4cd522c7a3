// A stand-in for the claude.ai account endpoints Claude Code calls as a
// subscriber. Their base URL is fixed in the public build
// (https://api.anthropic.com: the local/staging switch returns "prod", and
// CLAUDE_CODE_CUSTOM_OAUTH_URL must be one of three Anthropic hosts), so the
// client is pointed at it through HTTPS_PROXY: this proxy accepts CONNECT to
// api.anthropic.com:443 only and hands the connection to a local TLS server
// whose certificate is signed by a throw-away CA (NODE_EXTRA_CA_CERTS). Every
// other host is refused (403), so nothing leaves the machine.
//
// It answers GET /api/oauth/profile and GET /api/oauth/usage (the shapes of
// the 2.1.330 bundle) and 404 for the rest, and logs every request line.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';

/** One window of GET /api/oauth/usage: percent 0-100, reset in ISO 8601. */
export interface UsageWindow {
  utilization: number | null;
  resets_at: string | null;
}

export interface OAuthStandInOptions {
  /** A folder for the CA and the server's key and certificate. */
  dir: string;
  profile: Record<string, unknown>;
  usage: Record<string, unknown>;
}

export interface OAuthStandIn {
  /** For HTTPS_PROXY. */
  proxyUrl: string;
  /** For NODE_EXTRA_CA_CERTS. */
  caFile: string;
  /** `CONNECT host:port` and `GET /path` lines, in order. */
  requests: string[];
  stop(): Promise<void>;
}

export const OAUTH_HOST = 'api.anthropic.com';

/** True when `openssl` runs (it makes the throw-away CA). */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A CA and a certificate for api.anthropic.com signed by it, in `dir`. */
function makeCertificates(dir: string): { ca: string; key: string; cert: string } {
  const f = (name: string): string => join(dir, name);
  const quiet = { stdio: 'ignore' as const };
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '1', '-subj', '/CN=claude-code-cost-meter stand-in CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], quiet);
  execFileSync('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', `/CN=${OAUTH_HOST}`], quiet);
  writeFileSync(f('server.ext'), `subjectAltName=DNS:${OAUTH_HOST}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  execFileSync('openssl', ['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.pem'), '-days', '1', '-extfile', f('server.ext')], quiet);
  return { ca: f('ca.pem'), key: f('server.key'), cert: f('server.pem') };
}

function listen(server: { listen(port: number, host: string, cb: () => void): unknown; once(e: 'error', cb: (err: Error) => void): unknown; address(): AddressInfo | string | null }): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startOAuthStandIn(options: OAuthStandInOptions): Promise<OAuthStandIn> {
  const certs = makeCertificates(options.dir);
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const answer = (req: IncomingMessage, res: ServerResponse): void => {
    req.resume();
    req.on('end', () => {
      const url = req.url ?? '/';
      requests.push(`${req.method ?? '?'} ${url}`);
      const route = url.split('?')[0];
      const body = route === '/api/oauth/profile' ? options.profile : route === '/api/oauth/usage' ? options.usage : undefined;
      if (body === undefined) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'Not found' } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  };
  const tls = createTlsServer({ key: readFileSync(certs.key), cert: readFileSync(certs.cert) }, answer);
  const tlsPort = await listen(tls);
  const proxy = createServer((req, res) => {
    requests.push(`${req.method ?? '?'} ${req.url ?? ''} (plain proxy request, refused)`);
    res.writeHead(403);
    res.end();
  });
  proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    requests.push(`CONNECT ${req.url ?? ''}`);
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (req.url !== `${OAUTH_HOST}:443`) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = connect(tlsPort, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
  });
  const proxyPort = await listen(proxy);
  const close = (s: { close(cb: () => void): unknown }): Promise<void> => new Promise((resolve) => s.close(() => resolve()));
  return {
    proxyUrl: `http://127.0.0.1:${proxyPort}`,
    caFile: certs.ca,
    requests,
    stop: async () => {
      for (const s of sockets) {
        s.destroy();
      }
      tls.closeAllConnections();
      proxy.closeAllConnections();
      await Promise.all([close(tls), close(proxy)]);
    },
  };
}
