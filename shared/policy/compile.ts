// Turns a schema-valid policy document into the form the gateway runs: globs and regexes compiled
// once, durations in milliseconds, and the checks a schema cannot express (unknown connection
// names, review rules without reviewers, dev-only credentials) reported as problems with paths.
import type { Connection } from '../connections/connection.js';
import type { IssuerConfig } from '../identity/schema.js';
import type { MaskingConfig } from '../masking/config.js';
import { pathGlob, policyRegExp, textGlob } from './glob.js';
import { DURATION, type MatchDocument, type PolicyDocument } from './schema.js';

export type Action = 'allow' | 'deny' | 'review';

export interface ReviewRequirement {
  groups: string[];
  minApprovals: number;
  timeoutMs: number;
}

export interface CompiledMatch {
  connections?: RegExp[];
  groups?: string[];
  subjects?: RegExp[];
  kind?: 'user' | 'workload';
  claims?: Array<{ name: string; globs: RegExp[] }>;
  methods?: string[];
  paths?: RegExp[];
  query?: RegExp;
  headers?: Array<{ name: string; pattern: RegExp }>;
  body?: RegExp;
  actions?: RegExp[];
  resources?: RegExp[];
  commands?: Array<{ programs?: RegExp[]; args?: RegExp }>;
  flags?: string[];
}

export interface CompiledRule {
  name: string;
  action: Action;
  message?: string;
  review?: ReviewRequirement;
  match: CompiledMatch;
  /** The match as written, for explanations (shared/guard/explain.ts); the guard reads `match`. */
  source?: MatchDocument;
}

export interface NamedConnection extends Connection {
  /** Reviewers when the connection's default decision is review. */
  defaultReview?: ReviewRequirement;
}

export interface Policy {
  recording: 'strict' | 'best-effort';
  auditorGroups: string[];
  issuers: IssuerConfig[];
  connections: ReadonlyMap<string, NamedConnection>;
  rules: CompiledRule[];
  masking?: MaskingConfig;
  /** Whether any rule reads the text (body, prompt, SQL) of a request on this connection. */
  readsText(connection: string): boolean;
}

export interface Problem {
  path: Array<string | number>;
  message: string;
}

export interface CompileOptions {
  env: 'development' | 'production';
}

export function parseDuration(text: string): number {
  const [, amount, unit] = DURATION.exec(text)!;
  return Number(amount) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit as 's' | 'm' | 'h' | 'd'];
}

const list = <T>(value: T | T[] | undefined): T[] | undefined => (value === undefined ? undefined : Array.isArray(value) ? value : [value]);

export function compilePolicy(doc: PolicyDocument, options: CompileOptions): { policy?: Policy; problems: Problem[] } {
  const problems: Problem[] = [];
  const defaultTimeoutMs = parseDuration(doc.approvals.timeout);

  const seenIssuers = new Map<string, number>();
  doc.issuers.forEach((issuer, i) => {
    if (seenIssuers.has(issuer.issuer)) problems.push({ path: ['issuers', i, 'issuer'], message: `issuer is already listed at issuers[${seenIssuers.get(issuer.issuer)}]` });
    seenIssuers.set(issuer.issuer, i);
  });

  const connections = new Map<string, NamedConnection>();
  for (const [name, config] of Object.entries(doc.connections)) {
    if (config.credential?.env !== undefined && options.env !== 'development') {
      problems.push({ path: ['connections', name, 'credential', 'env'], message: 'environment-variable credentials are only allowed when PORTCULLIS_ENV=development; use keyVault or managedIdentity' });
    }
    if (config.default === 'review' && !config.reviewers?.length) {
      problems.push({ path: ['connections', name, 'reviewers'], message: 'is required when default is review' });
    }
    connections.set(name, {
      name,
      config,
      defaultReview: config.reviewers?.length ? { groups: config.reviewers, minApprovals: 1, timeoutMs: defaultTimeoutMs } : undefined,
    });
  }

  const ruleNames = new Map<string, number>();
  const rules: CompiledRule[] = doc.rules.map((rule, i) => {
    const at = (...rest: Array<string | number>) => ['rules', i, ...rest];
    if (ruleNames.has(rule.name)) problems.push({ path: at('name'), message: `"${rule.name}" is already the name of rules[${ruleNames.get(rule.name)}]` });
    ruleNames.set(rule.name, i);
    if (rule.action === 'review' && !rule.review) problems.push({ path: at('review'), message: 'is required when action is review (who reviews?)' });
    if (rule.action !== 'review' && rule.review) problems.push({ path: at('review'), message: `only applies to review rules; this rule's action is ${rule.action}` });
    for (const [j, name] of (list(rule.match.connections) ?? []).entries()) {
      if (!name.includes('*') && !name.includes('?') && !connections.has(name)) {
        const at2 = Array.isArray(rule.match.connections) ? at('match', 'connections', j) : at('match', 'connections');
        problems.push({ path: at2, message: `no connection is named "${name}"` });
      }
    }
    return {
      name: rule.name,
      action: rule.action,
      message: rule.message,
      review: rule.review && {
        groups: rule.review.groups,
        minApprovals: rule.review.minApprovals,
        timeoutMs: rule.review.timeout ? parseDuration(rule.review.timeout) : defaultTimeoutMs,
      },
      match: compileMatch(rule.match, rule.action, (path, message) => problems.push({ path: at('match', ...path), message })),
      source: rule.match,
    };
  });

  if (problems.length > 0) return { problems };
  const textReaders = new Map<string, boolean>();
  return {
    problems,
    policy: {
      recording: doc.recording,
      auditorGroups: doc.auditors?.groups ?? [],
      issuers: doc.issuers,
      connections,
      rules,
      masking: doc.masking,
      readsText(connection) {
        let reads = textReaders.get(connection);
        if (reads === undefined) {
          reads = rules.some((r) => r.match.body && (!r.match.connections || r.match.connections.some((g) => g.test(connection))));
          textReaders.set(connection, reads);
        }
        return reads;
      },
    },
  };
}

function compileMatch(match: MatchDocument, action: Action, problem: (path: Array<string | number>, message: string) => void): CompiledMatch {
  const regex = (source: string, path: Array<string | number>) => {
    try {
      return policyRegExp(source);
    } catch (error) {
      problem(path, `is not a valid regular expression: ${(error as Error).message}`);
      return /(?!)/;
    }
  };
  return {
    connections: list(match.connections)?.map((g) => textGlob(g)),
    groups: list(match.groups),
    subjects: list(match.subjects)?.map((g) => textGlob(g)),
    kind: match.kind,
    claims: match.claims && Object.entries(match.claims).map(([name, globs]) => ({ name, globs: list(globs)!.map((g) => textGlob(g)) })),
    methods: list(match.method),
    // Many upstreams route paths case-insensitively (ASP.NET, IIS): deny and review rules must
    // catch `/Admin` too, while allow rules stay exact so they never allow more than written.
    paths: list(match.path)?.map((g) => pathGlob(g, action !== 'allow')),
    query: match.query === undefined ? undefined : regex(match.query, ['query']),
    headers: match.headers && Object.entries(match.headers).map(([name, source]) => ({ name: name.toLowerCase(), pattern: regex(source, ['headers', name]) })),
    body: match.body === undefined ? undefined : regex(match.body, ['body']),
    actions: list(match.actions)?.map((g) => textGlob(g, true)),
    resources: list(match.resources)?.map((g) => textGlob(g, true)),
    commands: list(match.command)?.map((c, i) => ({
      programs: list(c.program)?.map((g) => textGlob(g)),
      args: c.args === undefined ? undefined : regex(c.args, Array.isArray(match.command) ? ['command', i, 'args'] : ['command', 'args']),
    })),
    flags: list(match.flags),
  };
}
