// classify → decide: the judgement every request gets, live (pipeline.ts) or offline (offline.ts,
// for `portcullis policy test` and `explain`), so both run the very same functions.
import type { AgentRequest } from '../connections/kind.js';
import type { Operation } from '../connections/operation.js';
import { kinds } from '../connections/registry.js';
import { decide, type Decision } from '../guard/decide.js';
import type { Principal } from '../identity/index.js';
import type { NamedConnection, Policy } from '../policy/compile.js';

export interface Judgement {
  operation: Operation;
  decision: Decision;
}

export async function classifyAndDecide(request: AgentRequest, principal: Principal, connection: NamedConnection, policy: Policy): Promise<Judgement> {
  const operation = await kinds[connection.config.kind].classify(request, connection);
  return { operation, decision: decide(principal, connection, operation, policy) };
}
