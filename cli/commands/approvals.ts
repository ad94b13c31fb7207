// `portcullis approvals list | show | approve | deny`: the reviewer's tools over the approval API,
// with a token from --token, PORTCULLIS_TOKEN, or (beside `portcullis dev`) one the dev issuer mints
// for --as NAME in --groups.
import { resolve } from 'node:path';
import { visible } from '../../shared/platform/terminal-text.js';
import { HelpRequested, parseDocumentedArgs, pickSubcommand, type Help, type Subcommand } from '../args.js';
import { loadDevIssuer, readDevState } from '../dev/issuer.js';
import { UsageError, type CliIo, type Command } from '../io.js';
import { DEFAULT_STATE_DIR } from './sessions/signing.js';
import type { ApprovalSummary } from '../../shared/approvals/list.js';

const connectionOptions = {
  url: { type: 'string' },
  token: { type: 'string' },
  as: { type: 'string' },
  groups: { type: 'string' },
  state: { type: 'string' },
} as const;

const connectionFlags = {
  url: ['URL', 'the gateway (default: PORTCULLIS_URL, else the local stack\'s, from the state folder)'],
  token: ['TOKEN', 'the reviewer\'s bearer token (default: PORTCULLIS_TOKEN, else one minted by the local stack\'s dev issuer)'],
  as: ['NAME', 'with the local stack: the subject of the minted token (default: reviewer)'],
  groups: ['a,b', 'with the local stack: the groups of the minted token (default: reviewers)'],
  state: ['DIR', `the state folder of portcullis dev (default: ${DEFAULT_STATE_DIR})`],
} as const;

const listOptions = { ...connectionOptions, status: { type: 'string' }, limit: { type: 'string' }, all: { type: 'boolean' }, json: { type: 'boolean' } } as const;
const listHelp: Help<typeof listOptions> = {
  usage: 'portcullis approvals list [--status pending] [--limit N] [--all] [--json] [connection options]',
  about: 'Lists the approvals waiting for you (status pending: those you may decide), or of another status.',
  flags: {
    ...connectionFlags,
    status: ['STATUS', 'pending, approved, denied, expired, executing, completed or failed (default: pending)'],
    limit: ['N', 'approvals per page (default: 50)'],
    all: 'follow the continuation through every page',
    json: 'the answer as JSON',
  },
};

const showOptions = { ...connectionOptions, json: { type: 'boolean' } } as const;
const showHelp: Help<typeof showOptions> = {
  usage: 'portcullis approvals show ID [--json] [connection options]',
  about: 'Shows one approval from your inbox: the operation, requester, rule, reviewers, expiry and its review page.',
  flags: { ...connectionFlags, json: 'the approval as JSON' },
};

const decideOptions = { ...connectionOptions, reason: { type: 'string' } } as const;
const decideHelp = (verdict: 'approve' | 'deny'): Help<typeof decideOptions> => ({
  usage: `portcullis approvals ${verdict} ID [--reason TEXT] [connection options]`,
  about: verdict === 'approve' ? 'Approves a held request (it runs once enough reviewers approve).' : 'Denies a held request (it never runs).',
  flags: { ...connectionFlags, reason: ['TEXT', 'why, recorded with the decision'] },
});

export const subcommands: Record<string, Subcommand> = {
  list: { summary: 'list [--status S]: what waits for your decision', load: async () => ({ run: list }) },
  show: { summary: 'show ID: one approval', load: async () => ({ run: show }) },
  approve: { summary: 'approve ID [--reason TEXT]', load: async () => ({ run: (args, io) => decide('approve', args, io) }) },
  deny: { summary: 'deny ID [--reason TEXT]', load: async () => ({ run: (args, io) => decide('deny', args, io) }) },
};

export const run: Command = async (args, io) => {
  const { sub, load, rest } = pickSubcommand('approvals', subcommands, args);
  try {
    return await (await load()).run(rest, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof HelpRequested) throw error;
    io.stderr.write(`portcullis approvals ${sub}: ${visible((error as Error).message.split('\n')[0]!)}\n`);
    return 1;
  }
};


async function list(args: string[], io: CliIo): Promise<number> {
  const { values } = parseDocumentedArgs(args, listOptions, listHelp);
  const api = await connect(values, io);
  const query = new URLSearchParams();
  if (values.status) query.set('status', values.status);
  if (values.limit) query.set('limit', values.limit);
  const found: ApprovalSummary[] = [];
  let next: string | undefined = `${api.url}/api/approvals${query.size ? `?${query}` : ''}`;
  while (next) {
    const page = (await api.get(next)) as { approvals: ApprovalSummary[]; next?: string };
    found.push(...page.approvals);
    next = values.all ? page.next : undefined;
    if (!values.all && page.next) io.stderr.write(`more: --all, or ${page.next}\n`);
  }
  if (values.json) {
    io.stdout.write(JSON.stringify(found, null, 2) + '\n');
    return 0;
  }
  if (found.length === 0) io.stdout.write(`no ${values.status ?? 'pending'} approvals${values.status ? '' : ' for you to decide'}\n`);
  for (const a of found) {
    io.stdout.write(`${a.id}  ${a.status}  ${visible(a.connection)}  ${visible(a.operation)}\n    by ${visible(a.requester)}, rule ${visible(a.rule)}, ${age(a.createdAt)} old, expires ${a.expiresAt}${a.mayDecide ? '' : ' (not yours to decide)'}\n`);
  }
  return 0;
}

async function show(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseDocumentedArgs(args, showOptions, showHelp, { positionals: 1 });
  const id = positionals[0];
  if (!id) throw new UsageError('expected an approval id: approvals show ID');
  const api = await connect(values, io);
  // The inbox holds what a reviewer may see of an approval; the status URL is the requester's.
  for (const status of ['pending', 'approved', 'denied', 'expired', 'executing', 'completed', 'failed']) {
    let next: string | undefined = `${api.url}/api/approvals?status=${status}&limit=200`;
    while (next) {
      const page = (await api.get(next)) as { approvals: ApprovalSummary[]; next?: string };
      const a = page.approvals.find((x) => x.id === id);
      if (a) {
        if (values.json) io.stdout.write(JSON.stringify(a, null, 2) + '\n');
        else {
          const rows: Array<[string, string]> = [
            ['id', a.id], ['status', a.status], ['connection', a.connection], ['operation', a.operation], ['requester', a.requester],
            ['rule', `${a.rule}: ${a.message}`], ['reviewers', `${a.review.minApprovals} of ${a.review.groups.join(', ')} (${a.approvals} approved so far)`],
            ['created', a.createdAt], ['expires', a.expiresAt], ['review page', a.links.review], ['you may decide', a.mayDecide ? 'yes' : 'no'],
          ];
          for (const [name, value] of rows) io.stdout.write(`${name.padEnd(15)} ${visible(value)}\n`);
        }
        return 0;
      }
      next = page.next;
    }
  }
  io.stderr.write(`no approval ${visible(id)} that you may see\n`);
  return 1;
}

async function decide(verdict: 'approve' | 'deny', args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseDocumentedArgs(args, decideOptions, decideHelp(verdict), { positionals: 1 });
  const id = positionals[0];
  if (!id) throw new UsageError(`expected an approval id: approvals ${verdict} ID`);
  const api = await connect(values, io);
  const result = (await api.post(`${api.url}/api/approvals/${encodeURIComponent(id)}/decision`, { decision: verdict, ...(values.reason ? { reason: values.reason } : {}) })) as {
    status: string;
    approvals: number;
    required: number;
  };
  io.stdout.write(`${id}: ${result.status} (${result.approvals} of ${result.required} approvals)\n`);
  return 0;
}

const age = (at: string) => {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(at)) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
};

function isHttpUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}

interface Api {
  url: string;
  get(url: string): Promise<unknown>;
  post(url: string, body: unknown): Promise<unknown>;
}

async function connect(values: { url?: string; token?: string; as?: string; groups?: string; state?: string }, io: CliIo): Promise<Api> {
  const stateDir = resolve(io.cwd, values.state ?? DEFAULT_STATE_DIR);
  const dev = await readDevState(stateDir).catch(() => undefined);
  const url = (values.url ?? io.env.PORTCULLIS_URL ?? dev?.gatewayUrl)?.replace(/\/+$/, '');
  if (!url) throw new UsageError(`say which gateway: --url, PORTCULLIS_URL, or a local stack (tried ${visible(stateDir)}/dev.json)`);
  // Checked here, or fetch's complaint reads as a gateway that did not answer.
  if (!isHttpUrl(url)) {
    const from = values.url !== undefined ? '--url' : io.env.PORTCULLIS_URL !== undefined ? 'PORTCULLIS_URL' : `${visible(stateDir)}/dev.json`;
    throw new UsageError(`${from} "${visible(url)}" is not an http(s) URL`);
  }
  let token = values.token ?? io.env.PORTCULLIS_TOKEN;
  if (!token) {
    if (!dev) throw new UsageError(`give a reviewer's token: --token or PORTCULLIS_TOKEN (no local stack in ${visible(stateDir)} to mint one)`);
    const issuer = await loadDevIssuer(stateDir, { create: false });
    token = await issuer.sign({
      issuer: dev.issuer,
      audience: dev.audience,
      subject: values.as ?? 'reviewer',
      groups: (values.groups ?? 'reviewers').split(',').map((g) => g.trim()).filter(Boolean),
      ttlSeconds: 900,
      claims: {},
    });
  }
  const call = async (target: string, init: RequestInit) => {
    let res: Response;
    try {
      res = await fetch(target, { ...init, headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...init.headers } });
    } catch (error) {
      throw new Error(`${url} did not answer (${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message})`);
    }
    const text = await res.text();
    if (!res.ok) {
      let detail = text;
      try {
        const problem = JSON.parse(text) as { title?: string; detail?: string };
        detail = [problem.title, problem.detail].filter(Boolean).join(': ') || text;
      } catch {
        // not a problem document: shown as it came
      }
      throw new Error(`${res.status} ${detail}`);
    }
    return JSON.parse(text) as unknown;
  };
  return {
    url,
    get: (target) => call(target, {}),
    post: (target, body) => call(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  };
}
