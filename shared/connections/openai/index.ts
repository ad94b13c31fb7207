import type { ConnectionKind } from '../kind.js';
import { classifyHttp } from '../http/classify.js';
import { Refusal } from '../../platform/problem.js';

export const openaiKind: ConnectionKind = {
  route: 'proxy',
  readsBody: true,
  classify: (request) => ({ ...classifyHttp(request), kind: 'openai' }),
  forward: async () => {
    throw new Refusal({ status: 501, type: 'not-implemented', title: 'Not implemented', detail: 'The openai kind is being built.' });
  },
};
