import { z } from 'zod';
import { connectionBase } from '../connection-schema.js';
import { credentialFields, credentialSchema, credentialTiers, hasCredential, oneSource } from '../credential-schema.js';
import { DEFAULT_DENY_FLAGS, SHELL_FLAGS } from '../shell-flags.js';


/** `ssh-ed25519 AAAA…` (a known_hosts key, comment allowed) or `SHA256:…` (ssh-keygen -lf's fingerprint). */
export const HOST_KEY = /^(?:(?<type>ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(?:256|384|521)|rsa-sha2-(?:256|512)) (?<blob>[A-Za-z0-9+/]+={0,2})(?: .*)?|SHA256:(?<fingerprint>[A-Za-z0-9+/]{43}=?))$/;

const keyOnly = { message: 'an ssh connection takes a private key: use keyVault (or env in development)' };
const isKey = (c: { managedIdentity?: unknown }) => c.managedIdentity === undefined;

/** A tier's key, and the account it signs in as (a read tier's account that can only read). */
const tierKey = credentialFields
  .extend({ user: z.string().min(1).optional().describe('the account this tier\'s commands run as; absent: the connection\'s user') })
  .strict()
  .refine(oneSource, oneSource.problem)
  .refine(isKey, keyOnly);

export const sshConnectionSchema = connectionBase
  .extend({
    kind: z.literal('ssh'),
    host: z.string().min(1).describe('host name or address of the SSH server'),
    port: z.coerce.number().int().min(1).max(65_535).default(22).describe('the SSH port (a number, or a ${VARIABLE} that holds one)'),
    user: z.string().min(1).describe('the account commands run as'),
    hostKey: z
      .string()
      .regex(HOST_KEY, 'is not a host key ("ssh-ed25519 AAAA…") or a SHA256 fingerprint ("SHA256:…")')
      .describe('the server\'s host key, pinned: "ssh-ed25519 AAAA…" as in known_hosts, or its "SHA256:…" fingerprint; any other key is refused'),
    credential: credentialSchema
      .refine(isKey, keyOnly)
      .optional()
      .describe('where the private key (OpenSSH or PEM format) is kept: a Key Vault secret, or env in development'),
    credentials: credentialTiers(tierKey)
      .optional()
      .describe('instead of credential: one key per tier, each signing in as its own account (user); commands that only read (ls, cat, grep… with no redirect or substitution) run as read'),
    timeoutSeconds: z.number().int().min(1).max(3600).default(60).describe('longest a command may run; a request may ask for less'),
    maxOutputBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(4 * 1024 * 1024).describe('stdout and stderr kept per command at most (JSON answers); the answer says truncated'),
    denyFlags: z
      .array(z.enum(SHELL_FLAGS))
      .default(DEFAULT_DENY_FLAGS)
      .describe('commands with any of these flags are denied before any rule (unparsable: the parser could not read it; dynamic-program: the program is only known at run time)'),
  })
  .strict()
  .refine(hasCredential, hasCredential.problem);

export type SshConnection = z.infer<typeof sshConnectionSchema>;
