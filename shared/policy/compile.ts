// Turns a schema-valid policy document into the form the gateway runs: globs and regexes compiled
// once, durations in milliseconds, and the checks a schema cannot express (unknown connection
// names, review rules without reviewers, dev-only credentials, flags no kind sets) reported as
// problems with paths.
import type { Connection } from '../connections/connection.js';
import type { CredentialConfig, Tier } from '../connections/credential-schema.js';
import type { IssuerConfig } from '../identity/schema.js';
import type { MaskingConfig } from '../masking/config.js';
import { decodedQuery } from '../connections/rule-text.js';
import { claimGlob, GlobError, pathGlob, policyRegExp, textGlob, type TextPattern } from './glob.js';
import { unknownFlag, type Kind } from './flags.js';
import { parseJsonPath, type JsonPathStep } from './json-path.js';
import { parseDuration, type MatchDocument, type PolicyDocument } from './schema.js';

export type Action = 'allow' | 'deny' | 'review';

export interface ReviewRequirement {
  groups: string[];
  minApprovals: number;
  timeoutMs: number;
  /** The tier an approval grants (admin), when the rule elevates. */
  elevate?: Tier;
}

export interface CompiledMatch {
  connections?: RegExp[];
  groups?: string[];
  /** The principal's issuer is one of these, exactly. */
  issuers?: string[];
  subjects?: RegExp[];
  kind?: 'user' | 'workload';
  claims?: Array<{ name: string; globs: RegExp[] }>;
  methods?: string[];
  paths?: RegExp[];
  query?: TextPattern;
  headers?: Array<{ name: string; pattern: TextPattern }>;
  body?: TextPattern;
  actions?: RegExp[];
  resources?: RegExp[];
  commands?: Array<{ programs?: RegExp[]; args?: TextPattern }>;
  /**
   * Allow rules: each of an operation's actions, resources and programs must match an entry
   * (`ls; rm -rf /` is not an `ls`, `SELECT 1; DROP TABLE t` is not a `SelectStmt`), and there must
   * be one; deny and review rules: any one matching suffices.
   */
  coverAll?: boolean;
  flags?: string[];
  /** MCP arguments: every path must select a value its pattern matches. */
  arguments?: Array<{ path: JsonPathStep[]; pattern: TextPattern }>;
  /** Set on rules about the tool calls a model proposes; such rules never judge a request. */
  toolCalls?: { names?: RegExp[]; input?: TextPattern };
}

export interface CompiledRule {
  name: string;
  action: Action;
  message?: string;
  review?: ReviewRequirement;
  /** The tier what the rule lets through runs with, instead of the operation's. */
  tier?: Tier;
  match: CompiledMatch;
  /** The match as written, for explanations (shared/guard/explain.ts); the guard reads `match`. */
  source?: MatchDocument;
}

export interface NamedConnection extends Connection {
  /** Reviewers when the connection's default decision is review, and of a changed MCP tool. */
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

const list = <T>(value: T | T[] | undefined): T[] | undefined => (value === undefined ? undefined : Array.isArray(value) ? value : [value]);

/**
 * Where the parts of a partial document were in the original (its other parts were not valid):
 * the issuers' and rules' original positions, and every connection name written.
 */
export interface PartialDocument {
  issuers: number[];
  rules: number[];
  connectionNames: Set<string>;
}

export function compilePolicy(doc: PolicyDocument, options: CompileOptions, partial?: PartialDocument): { policy?: Policy; problems: Problem[] } {
  const problems: Problem[] = [];
  const issuerAt = (i: number) => partial?.issuers[i] ?? i;
  const ruleAt = (i: number) => partial?.rules[i] ?? i;
  const known = (name: string) => connections.has(name) || partial?.connectionNames.has(name) === true;
  const defaultTimeoutMs = parseDuration(doc.approvals.timeout);

  const seenIssuers = new Map<string, number>();
  doc.issuers.forEach((issuer, i) => {
    if (seenIssuers.has(issuer.issuer)) problems.push({ path: ['issuers', issuerAt(i), 'issuer'], message: `issuer is already listed at issuers[${seenIssuers.get(issuer.issuer)}]` });
    seenIssuers.set(issuer.issuer, issuerAt(i));
  });

  const connections = new Map<string, NamedConnection>();
  for (const [name, config] of Object.entries(doc.connections)) {
    if (config.credential && config.credentials) {
      problems.push({ path: ['connections', name, 'credentials'], message: 'set credential or credentials (one per tier), not both' });
    }
    const credentials: Array<[Array<string>, CredentialConfig | undefined]> = [
      [['credential'], config.credential],
      ...Object.entries(config.credentials ?? {}).map(([tier, c]): [string[], CredentialConfig] => [['credentials', tier], c]),
    ];
    for (const [path, credential] of credentials) {
      if (options.env === 'development') continue;
      if (credential?.env !== undefined) {
        problems.push({ path: ['connections', name, ...path, 'env'], message: 'environment-variable credentials are only allowed when PORTCULLIS_ENV=development; use keyVault or managedIdentity' });
      }
      if (credential?.oauth?.clientSecret.env !== undefined) {
        problems.push({ path: ['connections', name, ...path, 'oauth', 'clientSecret', 'env'], message: 'environment-variable secrets are only allowed when PORTCULLIS_ENV=development; use keyVault' });
      }
      // The client secret goes to the token endpoint: never in clear text.
      if (credential?.oauth && new URL(credential.oauth.tokenUrl).protocol !== 'https:') {
        problems.push({ path: ['connections', name, ...path, 'oauth', 'tokenUrl'], message: 'must be https outside development' });
      }
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
    const at = (...rest: Array<string | number>) => ['rules', ruleAt(i), ...rest];
    if (ruleNames.has(rule.name)) problems.push({ path: at('name'), message: `"${rule.name}" is already the name of rules[${ruleNames.get(rule.name)}]` });
    ruleNames.set(rule.name, ruleAt(i));
    if (rule.action === 'review' && !rule.review) problems.push({ path: at('review'), message: 'is required when action is review (who reviews?)' });
    if (rule.action !== 'review' && rule.review) problems.push({ path: at('review'), message: `only applies to review rules; this rule's action is ${rule.action}` });
    if (rule.action === 'deny' && rule.tier) problems.push({ path: at('tier'), message: 'only applies to allow and review rules: a denied request runs with no credential' });
    if (rule.tier === 'admin') problems.push({ path: at('tier'), message: 'only an approval can grant admin: use action: review with review: { elevate: admin }' });
    for (const [j, issuer] of (list(rule.match.issuers) ?? []).entries()) {
      if (!partial && !seenIssuers.has(issuer)) {
        const at2 = Array.isArray(rule.match.issuers) ? at('match', 'issuers', j) : at('match', 'issuers');
        problems.push({ path: at2, message: `no issuer in issuers is "${issuer}"` });
      }
    }
    for (const [j, name] of (list(rule.match.connections) ?? []).entries()) {
      if (!/[*?[{]/.test(name) && !known(name)) {
        const at2 = Array.isArray(rule.match.connections) ? at('match', 'connections', j) : at('match', 'connections');
        problems.push({ path: at2, message: `no connection is named "${name}"` });
      }
    }
    const flags = list(rule.match.flags);
    if (flags) {
      const kinds = kindsOf(list(rule.match.connections), connections, partial?.connectionNames);
      for (const [j, flag] of flags.entries()) {
        const message = unknownFlag(flag, kinds);
        if (message) problems.push({ path: Array.isArray(rule.match.flags) ? at('match', 'flags', j) : at('match', 'flags'), message });
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
        ...(rule.review.elevate && { elevate: rule.review.elevate }),
      },
      tier: rule.tier,
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

/**
 * The kinds of the connections a rule names; none when that is not known: the rule names no
 * connection (it applies to all), or one that is not valid (partial documents).
 */
function kindsOf(patterns: string[] | undefined, connections: ReadonlyMap<string, NamedConnection>, written?: ReadonlySet<string>): Set<Kind> {
  const globs = (patterns ?? []).flatMap((p) => {
    try {
      return [textGlob(p)];
    } catch (error) {
      if (!(error instanceof GlobError)) throw error;
      return [];
    }
  });
  const named = [...(written ?? connections.keys())].filter((name) => globs.some((g) => g.test(name)));
  if (named.some((name) => !connections.has(name))) return new Set();
  return new Set(named.map((name) => connections.get(name)!.config.kind));
}

/**
 * A `query` pattern matches the query as sent or as the upstream decodes it (`_%6Dethod=` is
 * `_method=` to it). The decoded query of the last request is kept: every query rule reads the same.
 */
function asSentOrDecoded(pattern: TextPattern): TextPattern {
  return { source: pattern.source, test: (query) => pattern.test(query) || (decoded(query) !== query && pattern.test(decoded(query))) };
}

let lastQuery = '';
let lastDecoded = '';
function decoded(query: string): string {
  if (query !== lastQuery) (lastQuery = query), (lastDecoded = decodedQuery(query));
  return lastDecoded;
}

/** Stands in for a refused pattern: the policy is not used while it has problems. */
const NEVER: TextPattern = { source: '', test: () => false };

function compileMatch(match: MatchDocument, action: Action, problem: (path: Array<string | number>, message: string) => void): CompiledMatch {
  const glob = (make: (g: string) => RegExp, path: Array<string | number>) => (g: string, i: number, all: string[]) => {
    try {
      return make(g);
    } catch (error) {
      if (!(error instanceof GlobError)) throw error;
      problem(all.length > 1 || Array.isArray(source(path)) ? [...path, i] : path, `is not a valid glob: ${error.message}`);
      return /(?!)/;
    }
  };
  const source = (path: Array<string | number>) => path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], match);
  const regex = (source: string, path: Array<string | number>) => {
    try {
      return policyRegExp(source);
    } catch (error) {
      problem(path, `is not a valid regular expression for linear-time matching (RE2 syntax: no lookarounds or backreferences): ${(error as Error).message}`);
      return NEVER;
    }
  };
  return {
    connections: list(match.connections)?.map(glob((g) => textGlob(g), ['connections'])),
    groups: list(match.groups),
    issuers: list(match.issuers),
    subjects: list(match.subjects)?.map(glob((g) => textGlob(g), ['subjects'])),
    kind: match.kind,
    // An allow rule's claim globs stop at `/` and `@` (glob.ts); deny and review rules' `*` matches
    // anything, so that they never cover less than before.
    claims: match.claims && Object.entries(match.claims).map(([name, globs]) => ({ name, globs: list(globs)!.map(glob((g) => (action === 'allow' ? claimGlob(g) : textGlob(g)), ['claims', name])) })),
    methods: list(match.method),
    // Many upstreams route paths case-insensitively (ASP.NET, IIS) and ignore a trailing slash
    // (Express, ASP.NET): deny and review rules must catch `/Admin/` too, while allow rules stay
    // exact so they never allow more than written.
    paths: list(match.path)?.map(glob((g) => pathGlob(g, action !== 'allow'), ['path'])),
    query: match.query === undefined ? undefined : asSentOrDecoded(regex(match.query, ['query'])),
    headers: match.headers && Object.entries(match.headers).map(([name, source]) => ({ name: name.toLowerCase(), pattern: regex(source, ['headers', name]) })),
    body: match.body === undefined ? undefined : regex(match.body, ['body']),
    actions: list(match.actions)?.map(glob((g) => textGlob(g, true), ['actions'])),
    resources: list(match.resources)?.map(glob((g) => textGlob(g, true), ['resources'])),
    coverAll: action === 'allow' ? true : undefined,
    commands: list(match.command)?.map((c, i) => {
      const at = Array.isArray(match.command) ? ['command', i] : ['command'];
      return {
        programs: list(c.program)?.map(glob((g) => textGlob(g), [...at, 'program'])),
        args: c.args === undefined ? undefined : regex(c.args, [...at, 'args']),
      };
    }),
    flags: list(match.flags),
    arguments: match.arguments && Object.entries(match.arguments).map(([path, source]) => ({ path: parseJsonPath(path), pattern: regex(source, ['arguments', path]) })),
    toolCalls: match.toolCalls && {
      names: list(match.toolCalls.name)?.map((g) => textGlob(g, true)),
      input: match.toolCalls.input === undefined ? undefined : regex(match.toolCalls.input, ['toolCalls', 'input']),
    },
  };
}
