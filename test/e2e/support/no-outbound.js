// Preloaded (NODE_OPTIONS=--require) into every Node process of the test VS Code:
// refuses and logs any outbound network connection, i.e. any TCP/UDP target that
// is not the loopback. Unix sockets and pipes (VS Code's own IPC) are untouched.
'use strict';
const fs = require('node:fs');
const net = require('node:net');
const dns = require('node:dns');
const log = process.env.CCM_OUTBOUND_LOG;
const role = process.argv.some((a) => a.includes('--type=extensionHost')) ? 'extensionHost' : process.argv.slice(1, 3).join(' ');
if (log) {
  // Proof that the trap is active in this process.
  fs.appendFileSync(log, `${JSON.stringify({ pid: process.pid, role, what: 'loaded' })}\n`);
}
const local = (host) => host === undefined || host === null || host === '' || host === 'localhost' || /^127\./.test(host) || host === '::1' || host === '[::1]' || host === '0.0.0.0';
function refuse(what) {
  if (log) {
    fs.appendFileSync(log, `${JSON.stringify({ pid: process.pid, role, what })}\n`);
  }
  const err = new Error(`outbound network refused by the test harness: ${what}`);
  err.code = 'ECONNREFUSED';
  return err;
}
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const first = args[0];
  const opts = typeof first === 'object' && first !== null && !Array.isArray(first) ? first : typeof first === 'number' ? { port: first, host: typeof args[1] === 'string' ? args[1] : undefined } : { path: first };
  if (opts.path === undefined && !local(opts.host)) {
    const err = refuse(`connect ${opts.host}:${opts.port}`);
    process.nextTick(() => this.destroy(err));
    return this;
  }
  return connect.apply(this, args);
};
const lookup = dns.lookup;
dns.lookup = function (host, ...rest) {
  if (!local(host)) {
    const cb = rest[rest.length - 1];
    const err = refuse(`dns ${host}`);
    if (typeof cb === 'function') {
      process.nextTick(() => cb(err));
      return {};
    }
    throw err;
  }
  return lookup.call(this, host, ...rest);
};
