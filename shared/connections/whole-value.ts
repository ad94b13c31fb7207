// A kind's own rule that masks values whole, whatever they look like (ARM's secret fields,
// Kubernetes Secrets' data): one marker per value, and a finding that names it by its short hash.
import { createHash } from 'node:crypto';
import { fingerprint, type Finding, type StreamMasker } from '../masking/index.js';

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
