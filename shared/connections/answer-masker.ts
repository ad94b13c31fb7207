// A masker that masks a kind's JSON answers its own way (vectors set aside, tool calls judged
// first…) and everything else as it is; redacting secret literals on top keeps that way too.
import type { Finding, Masker } from '../masking/index.js';

/** `mask` takes a parsed answer and the masker to use, or leaves it (undefined) to be masked as it is. */
export function maskingJsonAnswers(masker: Masker, mask: (answer: unknown, masker: Masker) => { text: string; findings: Finding[] } | undefined): Masker {
  return {
    ...masker,
    withSecrets: (secrets) => maskingJsonAnswers(masker.withSecrets(secrets), mask),
    auto(body, contentType) {
      let answer: unknown;
      try {
        answer = JSON.parse(body);
      } catch {
        return masker.auto(body, contentType);
      }
      return mask(answer, masker) ?? masker.auto(body, contentType);
    },
  };
}
