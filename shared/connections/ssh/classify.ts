// An exec request in the terms rules match: the programs the command runs (actions), the host it
// runs on (resource), the shell's risk flags, and each program with its arguments (`command` rules).
import { headerRecord } from '../headers.js';
import type { AgentRequest } from '../kind.js';
import { READ_ONLY_FLAG, type Operation } from '../operation.js';
import { analyzeShell, onlyReads } from '../shell-command.js';
import { readExecRequest } from './request.js';
import type { SshConnection } from './schema.js';

const basename = (program: string) => program.slice(program.lastIndexOf('/') + 1);

export function classifyExec(request: AgentRequest, connection: SshConnection): Operation {
  const { command, stdin, timeoutSeconds } = readExecRequest(request);
  const analysis = analyzeShell(command, stdin);
  const actions = [...new Set(analysis.commands.map((c) => basename(c.program)))];
  const target = `${connection.user}@${connection.host}`;
  const flags = analysis.flags.length > 0 ? ` (${analysis.flags.join(', ')})` : '';
  // A command that only reads runs with the read tier's account, where the connection has tiers.
  const readOnly = onlyReads(analysis) ? [READ_ONLY_FLAG] : [];
  return {
    kind: 'ssh',
    method: 'EXEC',
    path: '',
    query: '',
    actions,
    resources: [target],
    flags: [...analysis.flags, ...readOnly],
    headers: headerRecord(request.headers),
    text: command,
    commands: analysis.commands,
    summary: `exec ${actions.slice(0, 5).join(', ') || '(no program)'}${actions.length > 5 ? ` and ${actions.length - 5} more` : ''} on ${target}${flags}`,
    details: {
      host: connection.host,
      user: connection.user,
      timeoutSeconds: Math.min(timeoutSeconds ?? connection.timeoutSeconds, connection.timeoutSeconds),
      stdinBytes: stdin === undefined ? 0 : Buffer.byteLength(stdin),
    },
  };
}
