// The Azure Resource Manager connection kind: what `az` and the Azure SDKs call, judged by
// RBAC-style action names and resource ids.
import { armErrors } from '../error-dialects.js';
import type { ConnectionKind } from '../kind.js';
import { upstreamTarget } from '../target.js';
import { classifyArm } from './classify.js';
import { forwardArm } from './forward.js';

export const armKind: ConnectionKind = {
  route: 'proxy',
  // The path names the operation, but a deployment's body says what it does (deployments.ts).
  readsBody: true,
  target: upstreamTarget,
  classify: classifyArm,
  // The SDKs' own error shape, so that an agent reads why it was refused.
  errorDialect: armErrors,
  forward: forwardArm,
};
