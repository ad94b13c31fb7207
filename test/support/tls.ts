// A TLS front for the local gateway. The Azure SDKs refuse to send a bearer token over plain HTTP,
// as they should, so the e2e test reaches the gateway the way agents reach it in Azure: over
// HTTPS, here with a self-signed certificate for 127.0.0.1 made at test time and trusted only by
// the test's client.
import { connect, type AddressInfo } from 'node:net';
import { createServer } from 'node:tls';
import { issueCertificate } from '../../cli/dev/tls.js';

export interface TlsFront {
  url: string;
  /** PEM certificate for the client to trust. */
  ca: string;
  /** Where connections go; set once the gateway is up. */
  forwardTo(url: string): void;
  close(): Promise<void>;
}

export async function startTlsFront(): Promise<TlsFront> {
  const { cert, key } = selfSignedCertificate();
  let target: URL | undefined;
  const server = createServer({ cert, key }, (socket) => {
    if (!target) return socket.destroy();
    const upstream = connect(Number(target.port), target.hostname);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ca: cert,
    forwardTo: (url) => (target = new URL(url)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A self-signed certificate for IP 127.0.0.1 (the dev CLI's certificate maker). */
export const selfSignedCertificate = () => issueCertificate({ subject: '127.0.0.1', ips: ['127.0.0.1'], days: 1 });
