// The local certificate authority of `portcullis dev --tls`: clients such as kubectl, the Azure
// CLI and the Azure SDKs refuse to send a bearer token over plain HTTP, as they should. The CA is
// made once and kept in the state folder (so it can be trusted once); the server certificate, for
// 127.0.0.1, ::1 and localhost, is issued by it at each start. Certificates are DER-encoded here
// with node:crypto, no OpenSSL needed.
import { createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface DevTls {
  /** The CA certificate (PEM) clients trust. */
  ca: string;
  caPath: string;
  /** The server's certificate chain and key (PEM). */
  cert: string;
  key: string;
}

const CA_DAYS = 3650;
const SERVER_DAYS = 30;

/** The state folder's CA (created on first use) and a fresh server certificate issued by it. */
export async function devTls(stateDir: string, names: { ips?: string[]; dns?: string[] } = {}): Promise<DevTls> {
  const dir = join(stateDir, 'tls');
  await mkdir(dir, { recursive: true });
  const caPath = join(dir, 'ca.pem');
  const caKeyPath = join(dir, 'ca-key.pem');
  let ca: string;
  let caKey: KeyObject;
  try {
    [ca, caKey] = [await readFile(caPath, 'utf8'), createPrivateKey(await readFile(caKeyPath, 'utf8'))];
  } catch {
    const made = certificateAuthority('Portcullis dev CA');
    [ca, caKey] = [made.cert, made.privateKey];
    await writeFile(caKeyPath, made.key, { mode: 0o600 });
    await writeFile(caPath, ca);
  }
  const server = issueCertificate({
    subject: '127.0.0.1',
    issuer: { name: 'Portcullis dev CA', key: caKey },
    ips: names.ips ?? ['127.0.0.1', '::1'],
    dns: names.dns ?? ['localhost'],
  });
  await writeFile(join(dir, 'server.pem'), server.cert);
  await writeFile(join(dir, 'server-key.pem'), server.key, { mode: 0o600 });
  return { ca, caPath, cert: server.cert, key: server.key };
}

/** A self-signed CA certificate and its key. */
export function certificateAuthority(name: string): { cert: string; key: string; privateKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const extensions = [
    // basicConstraints: CA, critical; keyUsage: keyCertSign and cRLSign, critical.
    seq(oid('2.5.29.19'), tlv(0x01, Buffer.from([0xff])), tlv(0x04, seq(tlv(0x01, Buffer.from([0xff]))))),
    seq(oid('2.5.29.15'), tlv(0x01, Buffer.from([0xff])), tlv(0x04, tlv(0x03, Buffer.from([0x01, 0x06])))),
  ];
  const cert = certificate({ subject: name, issuer: name, publicKey, signer: privateKey, days: CA_DAYS, extensions });
  return { cert, key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), privateKey };
}

/** A server certificate for these addresses and names, signed by `issuer` (itself when absent). */
export function issueCertificate(options: { subject: string; issuer?: { name: string; key: KeyObject }; ips?: string[]; dns?: string[]; days?: number }): { cert: string; key: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const altNames = [...(options.ips ?? []).map((ip) => tlv(0x87, ipBytes(ip))), ...(options.dns ?? []).map((dns) => tlv(0x82, Buffer.from(dns)))];
  const extensions = [
    // basicConstraints: not a CA; subjectAltName; extendedKeyUsage: serverAuth.
    seq(oid('2.5.29.19'), tlv(0x01, Buffer.from([0xff])), tlv(0x04, seq())),
    seq(oid('2.5.29.17'), tlv(0x04, seq(...altNames))),
    seq(oid('2.5.29.37'), tlv(0x04, seq(oid('1.3.6.1.5.5.7.3.1')))),
  ];
  const issuer = options.issuer ?? { name: options.subject, key: privateKey };
  const cert = certificate({ subject: options.subject, issuer: issuer.name, publicKey, signer: issuer.key, days: options.days ?? SERVER_DAYS, extensions });
  return { cert, key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

function certificate(o: { subject: string; issuer: string; publicKey: KeyObject; signer: KeyObject; days: number; extensions: Buffer[] }): string {
  const name = (cn: string) => seq(set(seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn)))));
  const ecdsaWithSha256 = seq(oid('1.2.840.10045.4.3.2'));
  const now = Date.now();
  const serial = randomBytes(8);
  // Positive, and minimal DER: a leading 0x00 would be illegal padding whenever the next byte < 0x80.
  serial[0] = (serial[0]! & 0x7f) | 0x40;
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    tlv(0x02, serial),
    ecdsaWithSha256,
    name(o.issuer),
    seq(utcTime(new Date(now - 3_600_000)), utcTime(new Date(now + o.days * 86_400_000))),
    name(o.subject),
    o.publicKey.export({ type: 'spki', format: 'der' }),
    tlv(0xa3, seq(...o.extensions)),
  );
  const signature = sign('sha256', tbs, { key: o.signer, dsaEncoding: 'der' });
  const der = seq(tbs, ecdsaWithSha256, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
}

function ipBytes(ip: string): Buffer {
  if (!ip.includes(':')) return Buffer.from(ip.split('.').map(Number));
  const [head = '', tail = ''] = ip.split('::');
  const groups = (part: string) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = groups(tail);
  const all = ip.includes('::') ? [...h, ...new Array(8 - h.length - t.length).fill(0), ...t] : h;
  return Buffer.from(all.flatMap((g) => [g >> 8, g & 0xff]));
}

function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...length]), body]);
}

const seq = (...parts: Buffer[]) => tlv(0x30, ...parts);
const set = (...parts: Buffer[]) => tlv(0x31, ...parts);

function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const groups = [arc & 0x7f];
    for (let v = arc >> 7; v > 0; v >>= 7) groups.unshift((v & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function utcTime(date: Date): Buffer {
  const iso = date.toISOString();
  return tlv(0x17, Buffer.from(`${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`));
}
