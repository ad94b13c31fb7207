// Claims-based security: the SDK puts a token on $cbs before it attaches any link. The double, like
// Microsoft's emulator, accepts every token; the reply's keys are the ones CBS uses.
import type { Message } from 'rhea';
import type { Reply } from './request-response.js';

export function answerCbs(request: Message): Reply {
  const operation: unknown = request.application_properties?.operation;
  if (operation === 'put-token') return { application_properties: { 'status-code': 200, 'status-description': 'OK' } };
  return { application_properties: { 'status-code': 501, 'status-description': `CBS operation ${String(operation)} is not supported.` } };
}
