// Secrets in Kubernetes answers: a Secret's `data` (base64) and `stringData` values are masked as
// whole values whatever their content — the masker cannot know that `aHVudGVyMg==` is a password —
// and so is the `kubectl.kubernetes.io/last-applied-configuration` annotation of a Secret, which
// repeats them. Lists, Tables' rows and watch events ({type, object}) too. A real API server leaves
// `kind` off a list's items (kubernetes/kubernetes#3030), and a Table or a PartialObjectMetadataList
// carries a Secret's metadata as another kind: in the answer to a secrets request every object it
// carries is taken for a Secret, and elsewhere a SecretList's items are.
import { KUBERNETES_SECRET_RULE, LAST_APPLIED, SECRET_FIELDS, type Finding, type Masker } from '../../masking/index.js';
import { wholeValueRule, withOwnPass } from '../whole-value.js';

const WHOLE = wholeValueRule(KUBERNETES_SECRET_RULE);
const MARKER = WHOLE.marker;
const finding = WHOLE.finding;

/** Where an answer carries objects: a list's items, a Table's rows and each row's object, a watch event's object. */
const CARRIERS = new Set(['items', 'rows', 'object']);

/** The policy's masker with Secrets' values masked first; whole-body masking for secrets answers too large to parse. */
export function kubernetesMasker(masker: Masker, options: { secretsAnswer: boolean }): Masker {
  const pass = (value: unknown, path: string, findings: Finding[]) => maskSecrets(value, path, findings, options.secretsAnswer);
  return withOwnPass(masker, WHOLE, pass, options.secretsAnswer);
}

/** `value` with its Secrets' values masked; `secrets`: it answers a secrets request, so every object in it is one. */
export function maskSecrets(value: unknown, path: string, findings: Finding[], secrets = false): unknown {
  if (Array.isArray(value)) return value.map((item, i) => maskSecrets(item, `${path}[${i}]`, findings, secrets));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const out = secrets || object.kind === 'Secret' ? maskSecret(object, path, findings) : { ...object };
  for (const key of Object.keys(object)) {
    if (CARRIERS.has(key)) out[key] = maskSecrets(object[key], `${path}.${key}`, findings, secrets || (key === 'items' && object.kind === 'SecretList'));
  }
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
