// Secrets in Kubernetes answers: a Secret's `data` (base64) and `stringData` values are masked as
// whole values whatever their content — the masker cannot know that `aHVudGVyMg==` is a password —
// and so is the `kubectl.kubernetes.io/last-applied-configuration` annotation of a Secret, which
// repeats them. Lists (SecretList, a List of mixed items) and watch events ({type, object}) too.
import type { Finding, Masker } from '../../masking/index.js';
import { wholeValueRule } from '../whole-value.js';

export const KUBERNETES_SECRET_RULE = 'kubernetes-secret';
const WHOLE = wholeValueRule(KUBERNETES_SECRET_RULE);
const MARKER = WHOLE.marker;
const finding = WHOLE.finding;
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** The policy's masker with Secrets' values masked first; whole-body masking for secrets answers too large to parse. */
export function kubernetesMasker(masker: Masker, options: { secretsAnswer: boolean }): Masker {
  const json = (value: unknown, path = '$') => {
    const findings: Finding[] = [];
    const own = maskSecrets(value, path, findings);
    const masked = masker.json(own, path);
    return { value: masked.value, findings: [...findings, ...masked.findings] };
  };
  const whole = () => WHOLE.stream();
  return {
    ruleCount: masker.ruleCount + 1,
    text: (input) => masker.text(input),
    json,
    auto(body, contentType) {
      let value: unknown;
      try {
        value = JSON.parse(body);
      } catch {
        return options.secretsAnswer ? { text: body.length ? MARKER : body, findings: body.length ? [finding(body, 'offset:0')] : [] } : masker.auto(body, contentType);
      }
      const masked = json(value);
      return { text: JSON.stringify(masked.value), findings: masked.findings };
    },
    // An answer about secrets that is not JSON, or too large to hold, is masked whole rather than guessed at.
    stream: options.secretsAnswer ? whole : () => masker.stream(),
    streamAt: options.secretsAnswer ? whole : (locate) => masker.streamAt(locate),
    withSecrets: (secrets) => kubernetesMasker(masker.withSecrets(secrets), options),
  };
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
  for (const field of ['data', 'stringData']) {
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
