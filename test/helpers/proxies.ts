import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

/** A forward proxy on loopback for a kubeconfig's `proxy-url`, with the ports it was asked to reach. */
export interface TestProxy {
  url: string;
  /** The target port of every tunnel opened, in order. */
  readonly tunnels: number[];
  close(): Promise<void>;
}

/**
 * An HTTP proxy that opens tunnels with CONNECT (what a kubeconfig's `http://` proxy-url is asked for https).
 * `connectTo` sends every tunnel to that address, whatever host was asked for (a name nothing resolves).
 */
export async function startConnectProxy(options: { connectTo?: string } = {}): Promise<TestProxy & { readonly hosts: string[] }> {
  const tunnels: number[] = [];
  const hosts: string[] = [];
  const server = http.createServer((_request, response) => response.writeHead(405).end());
  server.on('connect', (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const [host = '', port = ''] = (request.url ?? '').split(/:(?=\d+$)/);
    tunnels.push(Number(port));
    hosts.push(host);
    const upstream = net.connect(Number(port), options.connectTo ?? host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  return { ...(await listening(server, 'http', tunnels)), hosts };
}

/** A SOCKS5 proxy without authentication that accepts CONNECT to an IPv4 address or a host name (RFC 1928). */
export async function startSocks5Proxy(): Promise<TestProxy> {
  const tunnels: number[] = [];
  const server = net.createServer((client) => {
    client.on('error', () => client.destroy());
    let received = Buffer.alloc(0);
    let greeted = false;
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      if (!greeted) {
        // VER, NMETHODS, METHODS: choose "no authentication".
        if (received.length < 2 || received.length < 2 + received[1]!) return;
        received = received.subarray(2 + received[1]!);
        greeted = true;
        client.write(Buffer.from([5, 0]));
      }
      // VER, CMD (1: CONNECT), RSV, ATYP (1: IPv4, 3: name), address, port.
      if (received.length < 5) return;
      const nameLength = received[3] === 3 ? 1 + received[4]! : 4;
      if (received.length < 4 + nameLength + 2) return;
      const host = received[3] === 3 ? received.subarray(5, 5 + received[4]!).toString() : [...received.subarray(4, 8)].join('.');
      const port = received.readUInt16BE(4 + nameLength);
      const rest = received.subarray(4 + nameLength + 2);
      client.off('data', onData);
      // Held until the tunnel is piped, so that nothing the client sends meanwhile is lost.
      client.pause();
      tunnels.push(port);
      const upstream = net.connect(port, host, () => {
        client.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
        upstream.write(rest);
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
    };
    client.on('data', onData);
  });
  return listening(server, 'socks5', tunnels);
}

function listening(server: net.Server, scheme: string, tunnels: number[]): Promise<TestProxy> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`,
        tunnels,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
