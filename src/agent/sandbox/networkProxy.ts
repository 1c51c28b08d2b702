import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { connect, isIP, type LookupFunction, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The one way out of a sandbox with no network: an HTTP proxy, outside the sandbox, that lets
 * through only the hosts named in `plumbline.sandbox.allowedHosts` (a package registry, say). It
 * listens on a Unix socket bound into the sandbox; inside, where only loopback exists, a small
 * bridge listens on a loopback port and carries each connection to that socket, and the usual
 * proxy variables point tools (npm, pip, curl, git) at it. `CONNECT host:443` tunnels TLS without
 * reading it; plain `GET http://host/…` is forwarded. Anything else is refused with 403.
 */

/** The loopback port the bridge listens on inside the sandbox's own network namespace. */
export const BRIDGE_PORT = 38_117;

export interface NetworkProxy {
  readonly socketPath: string;
  close(): Promise<void>;
}

/** Whether `host` is allowed: an exact name, or `*.example.com` for its subdomains. */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return allowed.some((entry) => {
    const rule = entry.toLowerCase().trim();
    return rule.startsWith('*.') ? name.endsWith(rule.slice(1)) && name.length > rule.length - 1 : name === rule;
  });
}

/** Loopback, private, link-local (cloud metadata) and unspecified addresses: the machine's own services. */
export function isInternalAddress(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(v4) === 4) {
    const [a = 0, b = 0] = v4.split('.').map(Number);
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  const lower = address.toLowerCase();
  return lower === '::' || lower === '::1' || lower.startsWith('fe80:') || lower.startsWith('fc') || lower.startsWith('fd');
}

/**
 * A DNS lookup that refuses a name resolving to the machine's own or a private address (DNS
 * rebinding, cloud metadata), unless the user allowed that very address: an allowed public name
 * must not become a way into the host's loopback services.
 */
function guardedLookup(allowed: readonly string[]): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error !== null) {
        callback(error, '', 4);
        return;
      }
      const usable = addresses.filter((entry) => !isInternalAddress(entry.address) || allowed.includes(entry.address));
      const first = usable[0];
      if (first === undefined) callback(Object.assign(new Error(`${hostname} resolves to an internal address`), { code: 'EACCES' }), '', 4);
      else if (options.all === true) (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, usable);
      else callback(null, first.address, first.family);
    });
  };
}

function splitTarget(target: string): { host: string; port: number } | undefined {
  const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(target);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  const port = Number(match[2]);
  return port > 0 && port < 65536 ? { host: match[1], port } : undefined;
}

function refuse(response: ServerResponse, host: string): void {
  response.writeHead(403, { 'content-type': 'text/plain' });
  response.end(`Plumbline's sandbox allows no connection to ${host}: add it to plumbline.sandbox.allowedHosts if the command needs it.\n`);
}

export async function startNetworkProxy(allowed: readonly string[]): Promise<NetworkProxy> {
  const lookup = guardedLookup(allowed);
  const folder = await mkdtemp(join(tmpdir(), 'plumbline-proxy-'));
  const socketPath = join(folder, 'proxy.sock');
  const sockets = new Set<Socket>();
  const server = createServer((incoming: IncomingMessage, response: ServerResponse) => {
    let url: URL;
    try {
      url = new URL(incoming.url ?? '');
    } catch {
      response.writeHead(400).end('A proxy request names an absolute http:// URL.\n');
      return;
    }
    if (url.protocol !== 'http:' || !hostAllowed(url.hostname, allowed)) {
      refuse(response, url.hostname);
      return;
    }
    const upstream = request({ host: url.hostname, lookup, port: url.port === '' ? 80 : Number(url.port), path: `${url.pathname}${url.search}`, method: incoming.method, headers: incoming.headers }, (reply) => {
      response.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(response);
    });
    upstream.on('error', () => response.destroy());
    incoming.pipe(upstream);
  });
  server.on('connect', (incoming: IncomingMessage, client: Socket, head: Buffer) => {
    const target = splitTarget(incoming.url ?? '');
    if (target === undefined || !hostAllowed(target.host, allowed)) {
      client.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\n\r\nPlumbline's sandbox allows no connection to ${target?.host ?? 'that address'}.\n`);
      return;
    }
    const upstream = connect({ port: target.port, host: target.host, lookup }, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  let closing: Promise<void> | undefined;
  return {
    socketPath,
    close: () => {
      closing ??= (async () => {
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await rm(folder, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}

/** What tools read to find a proxy, pointing at the bridge. */
export function proxyEnvironment(): Record<string, string> {
  const url = `http://127.0.0.1:${BRIDGE_PORT}`;
  return {
    HTTP_PROXY: url, HTTPS_PROXY: url, http_proxy: url, https_proxy: url, ALL_PROXY: url,
    npm_config_proxy: url, npm_config_https_proxy: url, NO_PROXY: 'localhost,127.0.0.1,::1', no_proxy: 'localhost,127.0.0.1,::1',
  };
}

/**
 * Runs inside the sandbox (`node -e bridgeScript 'command'`): listens on the loopback bridge port,
 * carries each connection to the proxy's socket, then runs the command and exits with its status.
 */
export const bridgeScript = [
  "const net=require('net');const {spawn}=require('child_process');",
  'const sock=process.env.PLUMBLINE_PROXY_SOCKET;',
  "const server=net.createServer((c)=>{const u=net.connect(sock);c.pipe(u);u.pipe(c);c.on('error',()=>u.destroy());u.on('error',()=>c.destroy());});",
  `server.listen(${BRIDGE_PORT},'127.0.0.1',()=>{`,
  "const child=spawn('/bin/sh',['-c',process.argv[1]],{stdio:'inherit'});",
  "for(const s of ['SIGTERM','SIGINT','SIGHUP'])process.on(s,()=>child.kill(s));",
  "child.on('exit',(code,signal)=>process.exit(code===null?128+(signal==='SIGKILL'?9:15):code));",
  '});',
].join('');
