// Keeps the policy in force. PORTCULLIS_POLICY names a file or an https blob URL; the source is
// re-checked every refresh interval (file: mtime, blob: ETag) and a new version replaces the old
// one only if it is valid. An invalid version is refused with an error logged, and the last good
// policy stays in force — no redeploy needed to change policy, and no bad edit opens the gate.
import type { TokenCredential } from '@azure/identity';
import { BlobClient } from '@azure/storage-blob';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Policy } from '../policy/compile.js';
import { formatProblems, loadPolicy, type LoadOptions } from '../policy/load.js';
import type { Logger } from '../platform/log.js';
import { policyUnavailable } from './refusals.js';

export interface PolicySource {
  /** A token that changes when the content does (mtime, ETag). */
  version(): Promise<string>;
  /** Bytes, not text: the loader refuses a policy that is not UTF-8, saying where. */
  read(): Promise<{ bytes: Uint8Array; version: string }>;
  describe: string;
}

export function policySource(location: string, credential: TokenCredential, cwd = process.cwd()): PolicySource {
  if (/^https:\/\//i.test(location)) return blobPolicySource(new BlobClient(location, credential));
  const path = resolve(cwd, location);
  const version = async () => {
    const s = await stat(path);
    return `${s.mtimeMs}:${s.size}`;
  };
  return {
    describe: path,
    version,
    async read() {
      const v = await version();
      return { bytes: await readFile(path), version: v };
    },
  };
}

/** A policy blob, versioned by its ETag; read and version come from the same download. */
export function blobPolicySource(blob: BlobClient): PolicySource {
  return {
    describe: blob.url.split('?')[0]!,
    version: async () => (await blob.getProperties()).etag ?? '',
    async read() {
      const download = await blob.download();
      const chunks: Buffer[] = [];
      for await (const chunk of download.readableStreamBody ?? []) chunks.push(Buffer.from(chunk as Buffer));
      return { bytes: Buffer.concat(chunks), version: download.etag ?? '' };
    },
  };
}

export interface PolicyStore<S> {
  /** The state derived from the policy in force; refuses (503) when no valid policy was ever loaded. */
  current(): Promise<S>;
  /** Checks the source now (also runs every refresh interval on use). */
  refresh(): Promise<void>;
}

export interface PolicyStoreOptions<S> {
  source: PolicySource;
  load: LoadOptions;
  refreshMs: number;
  derive: (policy: Policy) => S;
  log: Logger;
  now?: () => number;
}

export function createPolicyStore<S>(options: PolicyStoreOptions<S>): PolicyStore<S> {
  const now = options.now ?? Date.now;
  let state: { value: S; version: string } | undefined;
  let checkedAt = -Infinity;
  let checking: Promise<void> | undefined;

  async function check(): Promise<void> {
    checkedAt = now();
    try {
      if (state && (await options.source.version()) === state.version) return;
      const { bytes, version } = await options.source.read();
      const result = loadPolicy(bytes, options.load);
      if (!result.ok) {
        options.log.error(state ? 'new policy version refused; the previous one stays in force' : 'policy is invalid', {
          source: options.source.describe,
          problems: formatProblems(result.problems, options.source.describe),
        });
        return;
      }
      state = { value: options.derive(result.policy), version };
      options.log.info('policy loaded', { source: options.source.describe, version, rules: result.policy.rules.length });
    } catch (error) {
      options.log.error('policy source could not be read', { source: options.source.describe, error: String(error) });
    }
  }

  const refresh = () => (checking ??= check().finally(() => (checking = undefined)));

  return {
    refresh,
    async current() {
      // Without a policy every request waits for a load, but the source is not hammered.
      if (!state) {
        if (checking) await checking;
        else if (now() - checkedAt >= Math.min(options.refreshMs, 1_000)) await refresh();
      } else if (now() - checkedAt >= options.refreshMs) void refresh();
      if (!state) throw policyUnavailable();
      return state.value;
    },
  };
}
