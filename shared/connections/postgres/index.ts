import type { ConnectionKind } from '../kind.js';
import { Refusal } from '../../platform/problem.js';

export const postgresKind: ConnectionKind = {
  route: 'sql',
  readsBody: true,
  classify: () => {
    throw new Refusal({ status: 501, type: 'not-implemented', title: 'Not implemented', detail: 'The postgres kind is being built.' });
  },
  forward: async () => {
    throw new Refusal({ status: 501, type: 'not-implemented', title: 'Not implemented', detail: 'The postgres kind is being built.' });
  },
};
