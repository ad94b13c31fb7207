// What the approvals code works with, built once per runtime from its clients and config.
import type { Runtime } from '../app/runtime.js';
import { APPROVALS_CONTAINER } from '../app/storage-layout.js';
import { createHeldStore, type HeldStore } from './held-store.js';
import { deriveKeys, type ReviewKeys } from './keys.js';
import { createMessenger, type Messenger } from './messages.js';
import { APPROVALS_TABLE, createApprovalStore, type ApprovalStore } from './store.js';

export interface ApprovalContext {
  rt: Runtime;
  store: ApprovalStore;
  held: HeldStore;
  messages: Messenger;
  keys: ReviewKeys;
  now(): Date;
}

const contexts = new WeakMap<Runtime, ApprovalContext>();

export function approvalContext(rt: Runtime): ApprovalContext {
  let context = contexts.get(rt);
  if (!context) {
    context = {
      rt,
      store: createApprovalStore(rt.clients.table(APPROVALS_TABLE)),
      held: createHeldStore(rt.clients.blobs.getContainerClient(APPROVALS_CONTAINER)),
      messages: createMessenger(rt.clients.serviceBus),
      keys: deriveKeys(rt.config.linkSigningKey),
      now: () => new Date(),
    };
    contexts.set(rt, context);
  }
  return context;
}

export const statusUrl = (rt: Runtime, id: string) => `${rt.config.publicUrl}/api/approvals/${encodeURIComponent(id)}`;
export const decisionUrl = (rt: Runtime, id: string) => `${statusUrl(rt, id)}/decision`;
export const reviewUrl = (rt: Runtime, id: string) => `${rt.config.publicUrl}/api/review/${encodeURIComponent(id)}`;
