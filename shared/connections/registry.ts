// Connection kinds by name: the one line to add for a new kind.
import type { ConnectionConfig } from './schemas.js';
import { httpKind } from './http/index.js';
import type { ConnectionKind } from './kind.js';

export const kinds: Record<ConnectionConfig['kind'], ConnectionKind> = {
  http: httpKind,
};
