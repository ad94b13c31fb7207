// The risk flags each connection kind's classify can set on an operation, so that a rule's
// `flags:` naming one no kind sets (`dll` for `ddl`) is a problem, not a rule that never fires.
// The SQL kinds' catalogues (postgres/flags.ts, mysql/flags.ts) sit with their parsers, which the
// policy does not load; flags.test.ts keeps these lists equal to them and to what the kinds set.
import type { ConnectionConfig } from '../connections/schemas.js';
import { READ_ONLY_FLAG } from '../connections/operation.js';
import { SHELL_FLAGS } from '../connections/shell-flags.js';

export type Kind = ConnectionConfig['kind'];

export const KIND_FLAGS: Readonly<Record<Kind, readonly string[]>> = {
  http: [],
  openai: ['streaming', 'tools', 'token-input', READ_ONLY_FLAG],
  anthropic: ['streaming', 'tools', 'thinking', 'batch'],
  arm: ['secrets', 'deployment', 'complete-mode', 'deployment-script', 'opaque-template'],
  postgres: [
    READ_ONLY_FLAG, 'write', 'ddl', 'no-where', 'data-modifying-cte', 'opaque-code', 'copy', 'copy-program',
    'multi-statement', 'transaction-control', 'set-config', 'role-change', 'lock',
  ],
  mysql: [READ_ONLY_FLAG, 'write', 'ddl', 'no-where', 'opaque-code', 'file', 'set-config', 'lock', 'unparsable'],
  mcp: ['notification', READ_ONLY_FLAG],
  ssh: [...SHELL_FLAGS, READ_ONLY_FLAG],
  // Pod exec commands carry the shell flags.
  kubernetes: ['secrets', 'cluster-wide', 'dry-run', 'server-side-apply', 'force', 'streaming', ...SHELL_FLAGS],
};

/**
 * The problem with a rule's flag, if no kind it can apply to sets it. `kinds`: those of the
 * connections the rule names, or every kind when it names none that exist.
 */
export function unknownFlag(flag: string, kinds: ReadonlySet<Kind>): string | undefined {
  const all = kinds.size > 0 ? [...kinds] : (Object.keys(KIND_FLAGS) as Kind[]);
  const known = [...new Set(all.flatMap((k) => KIND_FLAGS[k]))];
  if (known.includes(flag)) return undefined;
  const setters = (Object.keys(KIND_FLAGS) as Kind[]).filter((k) => KIND_FLAGS[k].includes(flag));
  if (setters.length > 0) return `"${flag}" is set only on ${setters.join(', ')} connections, and this rule's connections are ${all.join(', ')}: it never matches`;
  return `"${flag}" is not a flag ${kinds.size > 0 ? `${all.join(' or ')} connections set` : 'any connection kind sets'}; known: ${known.join(', ')}`;
}
