// The daily timer's work: close yesterday (UTC), write and seal its ledger of chain heads, and
// export it to the `exports` container under `yyyy-mm-dd/` with a signed manifest. Running it again
// for a day already exported changes nothing.
import type { BlobServiceClient } from '@azure/storage-blob';
import type { Logger } from '../platform/log.js';
import { closeSessions } from './close.js';
import { exportSessions } from './export.js';
import { containerSink } from './export-sinks.js';
import { MANIFEST_FILE, parseManifest, type Manifest } from './manifest.js';
import { writeLedger } from './ledger.js';
import { dayOf, EXPORT_CONTAINER, previousDay, SESSION_CONTAINER } from './names.js';
import type { Signer } from './signature.js';

export async function runDailyExport(options: { blobs: BlobServiceClient; log: Logger; signer: Signer; now?: () => Date }): Promise<Manifest> {
  const now = options.now ?? (() => new Date());
  const day = previousDay(dayOf(now()));
  const container = options.blobs.getContainerClient(EXPORT_CONTAINER);
  const sink = containerSink(container, `${day}/`);
  const earlier = await sink.read(MANIFEST_FILE);
  if (earlier) {
    const chunks: Buffer[] = [];
    for await (const chunk of earlier) chunks.push(chunk);
    const parsed = parseManifest(Buffer.concat(chunks).toString('utf8'));
    if ('manifest' in parsed) {
      options.log.info('sessions already exported', { day, files: parsed.manifest.files.length });
      return parsed.manifest;
    }
    throw new Error(`${sink.location}${MANIFEST_FILE} exists but cannot be read (line ${parsed.line}: ${parsed.message})`);
  }
  const closed = await closeSessions(options.blobs, day, { now });
  const sealed = await writeLedger(options.blobs.getContainerClient(SESSION_CONTAINER), day, options.signer);
  const manifest = await exportSessions(options.blobs, { from: day, to: day }, sink, options.signer, undefined, now);
  options.log.info('sessions exported', { day, files: manifest.files.length, closed, sealed, keyId: options.signer.keyId });
  return manifest;
}
