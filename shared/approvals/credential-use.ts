// Which credential an approved request will run with, for the reviewer to see before deciding: on a
// connection with credential tiers, the tier the decision granted, and whether that is more than
// the operation itself needs (a review rule's `elevate`). Connections with one credential have none.
import { CREDENTIAL_TIERS, type Tier } from '../connections/credential-schema.js';
import { tierFor, type Operation } from '../connections/operation.js';
import type { HeldRequest } from '../gateway/pipeline.js';
import type { CredentialUse } from './state.js';

export function credentialUse(held: Pick<HeldRequest, 'connection' | 'operation' | 'decision'>): CredentialUse | undefined {
  if (!held.connection.config.credentials) return undefined;
  const own = tierFor(held.operation);
  const tier = held.decision.tier;
  const use: CredentialUse = CREDENTIAL_TIERS.indexOf(tier) > CREDENTIAL_TIERS.indexOf(own) ? { tier, elevated: true, from: own } : { tier, elevated: false };
  // The approved request would be refused (tiers.ts): better the reviewer knows now.
  return held.connection.config.credentials[tier] ? use : { ...use, missing: true };
}

/**
 * The tier an approved request runs with: today's decision's (a rule that no longer elevates it no
 * longer does), but never more than the reviewer was shown, so a rule made to elevate after the request
 * was held cannot raise what was approved. Held with no tier shown (the connection had one credential
 * then), the operation's own tier is the most it gets.
 */
export function approvedTier(shown: CredentialUse | undefined, operation: Pick<Operation, 'method' | 'flags'>, today: Tier): Tier {
  const ceiling = shown?.tier ?? tierFor(operation);
  return CREDENTIAL_TIERS.indexOf(today) > CREDENTIAL_TIERS.indexOf(ceiling) ? ceiling : today;
}

/** What the review page and the card say about it. */
export function describeCredentialUse(use: CredentialUse): string {
  if (use.missing) return `Asks for the ${use.tier} credential, which this connection does not have: the approved request will be refused`;
  return use.elevated
    ? `Runs with the ${use.tier} credential once approved (the rule elevates it from ${use.from})`
    : `Runs with the ${use.tier} credential`;
}
