// What the approvals code works with: narrow dependencies handed over by the composition root
// (shared/app), and the stores it builds on them. Approvals sit above the gateway and use its
// forward and record steps; they never see the whole runtime.
import type { TableClient } from '@azure/data-tables';
import type { ServiceBusClient } from '@azure/service-bus';
import type { ContainerClient } from '@azure/storage-blob';
import type { Forward, Identify, PolicyState, Record } from '../gateway/ports.js';
import type { Config } from '../platform/config.js';
import type { Approval } from './state.js';
import type { StoredRequest, StoredResult } from './held-store.js';
import type { Logger } from '../platform/log.js';
import { approvalUrls, type ApprovalUrls } from '../platform/routes.js';
import { createHeldStore, type HeldStore } from './held-store.js';
import { deriveKeys, type ReviewKeys } from './keys.js';
import { createMessenger, type Messenger } from './messages.js';
import { createApprovalStore, type ApprovalStore } from './store.js';

export type ApprovalSettings = Pick<
  Config,
  'publicUrl' | 'teamsWebhookUrl' | 'upstreamTimeoutMs' | 'reviewAuth' | 'env' | 'appServiceAuthEnabled' | 'reviewTenants' | 'linkSigningKey'
>;

export interface ApprovalDeps {
  config: ApprovalSettings;
  log: Logger;
  policies: { current(): Promise<PolicyState> };
  identify: Identify;
  /** The gateway's forward step, bound to its dependencies. */
  forward: Forward;
  /** The gateway's record step, bound to the session log. */
  record: Record;
  storage: { table: TableClient; container: ContainerClient; serviceBus: ServiceBusClient };
  /** What approving a held change does, by the name the change was held with (`StoredRequest.effect`). */
  effects?: { [name: string]: ApprovalEffect };
}

/** Carries out an approved change that is not a request to forward; its answer is kept like a request's. */
export type ApprovalEffect = (ctx: ApprovalContext, approval: Approval, held: StoredRequest) => Promise<StoredResult>;

export interface ApprovalContext extends Omit<ApprovalDeps, 'storage'> {
  store: ApprovalStore;
  held: HeldStore;
  messages: Messenger;
  keys: ReviewKeys;
  urls: ApprovalUrls;
  now(): Date;
}

export function createApprovalContext({ storage, ...deps }: ApprovalDeps): ApprovalContext {
  return {
    ...deps,
    store: createApprovalStore(storage.table),
    held: createHeldStore(storage.container),
    messages: createMessenger(storage.serviceBus),
    keys: deriveKeys(deps.config.linkSigningKey),
    urls: approvalUrls(deps.config.publicUrl),
    now: () => new Date(),
  };
}
