// Secrets in ARM answers. ARM puts secrets in the answers of POST actions (listKeys,
// listConnectionStrings, listCredentials…), in fields the generic masker cannot know are secret
// (`keys[].value`, `primaryKey`, `passwords[].value`). So, before the policy's masker runs:
// - an answer to a secret-bearing action (classify.ts flags it) keeps only descriptive fields
//   (key names, permissions, times) in the clear: every other string is masked, whatever it
//   looks like, and a body that is not JSON is masked whole;
// - every ARM answer has ARM's own key fields (primaryKey, secondaryMasterKey…) masked;
// - every ARM answer has its template `outputs` masked strictly (outputs.ts), and a deployment's
//   answer that cannot be read as JSON is masked whole.
import type { Finding, Masker } from '../../masking/index.js';
import { wholeValueRule, withOwnPass } from '../whole-value.js';
import { childPath, isOutputs, isParameters, maskOutputs, maskParameters } from './outputs.js';

export const ARM_SECRET_RULE = 'arm-secret';
const WHOLE = wholeValueRule(ARM_SECRET_RULE);
const MARKER = WHOLE.marker;

const normalize = (key: string) => key.toLowerCase().replace(/[-_.\s]/g, '');

/** Fields of a secret-bearing answer that describe a secret rather than hold it. */
const DESCRIPTIVE = new Set(
  ['id', 'name', 'type', 'kind', 'keyName', 'permissions', 'creationTime', 'createdTime', 'expiry', 'expiryTime', 'expiresOn',
    'location', 'status', 'provisioningState', 'userName', 'publishingUserName', 'nextLink'].map(normalize),
);

/** ARM key fields that hold a secret in any answer (Cosmos DB, Redis, Service Bus, SignalR…). */
const SECRET_FIELD = /(?:primary|secondary)[a-z]*key$|masterkey$|sharedkey$/;

export interface ArmMaskOptions {
  /** The answer to a secret-bearing action: mask every non-descriptive string. */
  strict: boolean;
  /** An answer that may carry template outputs (a deployment's): masked whole unless it is JSON. */
  outputs?: boolean;
  /** Rewrites an upstream URL (a list's `nextLink`) to come back through the gateway. */
  link: (url: string) => string | undefined;
}

/** The policy's masker with ARM's secret fields masked first; strict for secret-bearing answers. */
export function armMasker(masker: Masker, options: ArmMaskOptions): Masker {
  const pass = (value: unknown, path: string, findings: Finding[]) => maskArmValue(withGatewayLink(value, options.link), options.strict, path, findings);
  return withOwnPass(masker, WHOLE, pass, options.strict || options.outputs === true);
}

export function maskArmValue(value: unknown, strict: boolean, path: string, findings: Finding[]): unknown {
  if (Array.isArray(value)) return value.map((item, i) => maskArmValue(item, strict, `${path}[${i}]`, findings));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const at = childPath(path, key);
    const field = normalize(key);
    if (isOutputs(field, item)) out[key] = maskOutputs(item, at, (text, location) => mask(text, location, findings));
    else if (isParameters(field, item)) out[key] = maskParameters(item, at, (text, location) => mask(text, location, findings));
    else if (typeof item === 'string' && (SECRET_FIELD.test(field) || (strict && !DESCRIPTIVE.has(field)))) out[key] = mask(item, at, findings);
    else out[key] = maskArmValue(item, strict, at, findings);
  }
  return out;
}

/** A list's `nextLink` on the upstream, pointed back at the gateway so the client pages through it. */
function withGatewayLink(value: unknown, link: (url: string) => string | undefined): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const next = (value as { nextLink?: unknown }).nextLink;
  const rewritten = typeof next === 'string' ? link(next) : undefined;
  return rewritten === undefined ? value : { ...value, nextLink: rewritten };
}

function mask(value: string, location: string, findings: Finding[]): string {
  if (value.length === 0) return value;
  findings.push(WHOLE.finding(value, location));
  return MARKER;
}

