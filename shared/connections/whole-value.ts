// A kind's own rule that masks values whole, whatever they look like (ARM's secret fields,
// Kubernetes Secrets' data): one marker per value, and a finding that names it by its short hash.
import { createHash } from 'node:crypto';
import { fingerprint, type Finding, type Masker, type StreamMasker } from '../masking/index.js';

export interface WholeValueRule {
  readonly marker: string;
  /** The finding for `value` at `location`. */
  finding(value: string, location: string): Finding;
  /** A stream masker that emits nothing until the end, then one marker: for bodies no part of which may pass. */
  stream(): StreamMasker;
}

export function wholeValueRule(rule: string): WholeValueRule {
  const marker = `[MASKED:${rule}]`;
  return {
    marker,
    finding: (value, location) => ({ rule, location, length: value.length, hash: fingerprint(value) }),
    stream: () => new WholeMasker(rule, marker),
  };
}

class WholeMasker implements StreamMasker {
  readonly findings: Finding[] = [];
  private readonly hash = createHash('sha256');
  private length = 0;

  constructor(
    private readonly rule: string,
    private readonly marker: string,
  ) {}

  push(chunk: string): string {
    this.hash.update(chunk, 'utf8');
    this.length += chunk.length;
    return '';
  }

  end(): string {
    if (this.length === 0) return '';
    this.findings.push({ rule: this.rule, location: 'offset:0', length: this.length, hash: this.hash.digest('hex').slice(0, 8) });
    return this.marker;
  }
}

/**
 * The policy's masker with a kind's own pass over JSON answers first (fields the generic masker
 * cannot know are secret: ARM's keys, Kubernetes Secrets' data). When `whole`, an answer that is
 * not JSON, or too large to hold as JSON and so streamed, is masked whole rather than guessed at.
 */
export function withOwnPass(
  masker: Masker,
  own: WholeValueRule,
  pass: (value: unknown, path: string, findings: Finding[]) => unknown,
  whole: boolean,
): Masker {
  const json = (value: unknown, path = '$') => {
    const findings: Finding[] = [];
    const masked = masker.json(pass(value, path, findings), path);
    return { value: masked.value, findings: [...findings, ...masked.findings] };
  };
  const wholeStream = () => own.stream();
  return {
    ruleCount: masker.ruleCount + 1,
    text: (input) => masker.text(input),
    json,
    auto(body, contentType) {
      let value: unknown;
      try {
        value = JSON.parse(body);
      } catch {
        if (!whole) return masker.auto(body, contentType);
        return body.length === 0 ? { text: body, findings: [] } : { text: own.marker, findings: [own.finding(body, 'offset:0')] };
      }
      const masked = json(value);
      return { text: JSON.stringify(masked.value), findings: masked.findings };
    },
    stream: whole ? wholeStream : () => masker.stream(),
    streamAt: whole ? wholeStream : (locate) => masker.streamAt(locate),
    withSecrets: (secrets) => withOwnPass(masker.withSecrets(secrets), own, pass, whole),
  };
}
