// Connection kinds by name: the one line to add for a new kind.
import { anthropicKind } from './anthropic/index.js';
import { armKind } from './arm/index.js';
import { httpKind } from './http/index.js';
import { mcpKind } from './mcp/index.js';
import type { ConnectionKind } from './kind.js';
import { mysqlKind } from './mysql/index.js';
import { openaiKind } from './openai/index.js';
import { postgresKind } from './postgres/index.js';
import type { ConnectionConfig } from './schemas.js';
import { sshKind } from './ssh/index.js';
import { kubernetesKind } from './kubernetes/index.js';

export const kinds: Record<ConnectionConfig['kind'], ConnectionKind> = {
  http: httpKind,
  openai: openaiKind,
  anthropic: anthropicKind,
  arm: armKind,
  postgres: postgresKind,
  mcp: mcpKind,
  mysql: mysqlKind,
  ssh: sshKind,
  kubernetes: kubernetesKind,
};

/** Closes what every kind keeps open (the runtime calls this when it shuts down). */
export async function closeKinds(): Promise<void> {
  await Promise.all(Object.values(kinds).map((kind) => kind.close?.()));
}
