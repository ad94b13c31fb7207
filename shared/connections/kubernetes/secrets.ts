// Secrets in Kubernetes answers: a Secret's `data` (base64) and `stringData` values are masked as
// whole values whatever their content — the masker cannot know that `aHVudGVyMg==` is a password —
// and so is the `kubectl.kubernetes.io/last-applied-configuration` annotation of a Secret, which
// repeats them. Lists (SecretList, a List of mixed items) and watch events ({type, object}) too.
import { KUBERNETES_SECRET_RULE, LAST_APPLIED, SECRET_FIELDS, type Finding, type Masker } from '../../masking/index.js';
import { wholeValueRule, withOwnPass } from '../whole-value.js';

const WHOLE = wholeValueRule(KUBERNETES_SECRET_RULE);
const MARKER = WHOLE.marker;
const finding = WHOLE.finding;

/** The policy's masker with Secrets' values masked first; whole-body masking for secrets answers too large to parse. */
export function kubernetesMasker(masker: Masker, options: { secretsAnswer: boolean }): Masker {
  return withOwnPass(masker, WHOLE, maskSecrets, options.secretsAnswer);
}

export function maskSecrets(value: unknown, path: string, findings: Finding[]): unknown {
  if (Array.isArray(value)) return value.map((item, i) => maskSecrets(item, `${path}[${i}]`, findings));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  if (object.kind === 'Secret') return maskSecret(object, path, findings);
  const out: Record<string, unknown> = {};
  // Lists' items and watch events' objects; nothing else holds a Secret.
  for (const [key, item] of Object.entries(object)) out[key] = key === 'items' || key === 'object' ? maskSecrets(item, `${path}.${key}`, findings) : item;
  return out;
}

function maskSecret(secret: Record<string, unknown>, path: string, findings: Finding[]): Record<string, unknown> {
  const out = { ...secret };
  for (const field of SECRET_FIELDS) {
    const values = secret[field];
    if (values === null || typeof values !== 'object') continue;
    out[field] = Object.fromEntries(
      Object.entries(values as Record<string, unknown>).map(([key, v]) => [key, typeof v === 'string' && v.length > 0 ? (findings.push(finding(v, `${path}.${field}[${JSON.stringify(key)}]`)), MARKER) : v]),
    );
  }
  const metadata = secret.metadata as { annotations?: Record<string, string> } | undefined;
  const applied = metadata?.annotations?.[LAST_APPLIED];
  if (applied) {
    findings.push(finding(applied, `${path}.metadata.annotations[${JSON.stringify(LAST_APPLIED)}]`));
    out.metadata = { ...metadata, annotations: { ...metadata!.annotations, [LAST_APPLIED]: MARKER } };
  }
  return out;
}
