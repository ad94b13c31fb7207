// The policy document: who may call (issuers), what they may reach (connections), what is
// allowed, denied or held for a human (rules), and how recording and masking behave. Pure data:
// compile.ts turns a parsed document into matchers. Exported as policy.schema.json for editors.
import { z } from 'zod';
import { connectionSchema } from '../connections/schemas.js';
import { issuerSchema } from '../identity/schema.js';
import { maskingConfigSchema } from '../masking/config.js';

const DURATION = /^(\d+)(s|m|h|d)$/;

/** Milliseconds of a string that matches DURATION. */
export function parseDuration(text: string): number {
  const [, amount, unit] = DURATION.exec(text)!;
  return Number(amount) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[unit as 's' | 'm' | 'h' | 'd'];
}

const duration = (min: string, max: string) =>
  z
    .string()
    .regex(DURATION, 'is not a duration like 30s, 15m, 2h or 1d')
    .refine((text) => !DURATION.test(text) || (parseDuration(text) >= parseDuration(min) && parseDuration(text) <= parseDuration(max)), `must be between ${min} and ${max}`);

/**
 * How long a held request may wait for reviewers: more than nothing (0s expires it before anyone
 * sees it) and at most 30 days, past which it is stale (and, unbounded, its expiry overflows a Date).
 */
const reviewTimeout = duration('1s', '30d');
const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1)]);

/** Names the guard uses for its own decisions; a rule may not take them. */
export const RESERVED_RULE_NAMES = ['default', 'connection-groups', 'connection-flags', 'unknown-connection'] as const;

/** `$`, then `.name`, `["name"]`, `[n]` or `[*]` steps. */
export const JSON_PATH = /^\$(?:\.[A-Za-z_$][\w$-]*|\[\d+\]|\[\*\]|\.\*|\["(?:[^"\\]|\\.)*"\])*$/;

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'SQL', 'EXEC'] as const;

export const matchSchema = z
  .object({
    connections: oneOrMany(z.string().min(1)).optional().describe('connection names or globs (* matches anything)'),
    groups: oneOrMany(z.string().min(1)).optional().describe('the principal is in at least one of these groups'),
    issuers: oneOrMany(z.string().min(1))
      .optional()
      .describe('the principal\'s token was issued by one of these issuers (exactly as under issuers); a subject or a group is unique only within its issuer'),
    subjects: oneOrMany(z.string().min(1)).optional().describe('the principal\'s subject matches one of these globs (pair with issuers when several issuers are trusted)'),
    kind: z.enum(['user', 'workload']).optional().describe('the principal\'s kind'),
    claims: z
      .record(z.string(), oneOrMany(z.string()))
      .optional()
      .describe(
        'token claims (iss included) that must match a glob, e.g. repository: "my-org/*", job_workflow_ref: "my-org/infra/**@refs/heads/main"; in allow rules * stays between / and @ and ** crosses / but never @, in deny and review rules * matches anything',
      ),
    method: oneOrMany(z.enum(HTTP_METHODS)).optional().describe('HTTP method of the target call (SQL for postgres connections, EXEC for commands)'),
    path: oneOrMany(z.string().startsWith('/', 'must start with /'))
      .optional()
      .describe('path globs: * matches within one segment, ** across segments; in deny and review rules case is ignored and a trailing / is optional'),
    query: z
      .string()
      .optional()
      .describe('regular expression over the query string (without ?), matched as sent and as decoded (each key and value percent-decoded, + as a space), e.g. "(^|&)debug=" to catch a debug parameter however it is encoded'),
    headers: z
      .record(z.string().regex(/^[A-Za-z0-9-]+$/, 'is not a header name'), z.string())
      .optional()
      .describe('header name → regular expression its value must match'),
    body: z
      .string()
      .optional()
      .describe('regular expression over the text rules see: the request body, the prompt (openai) or the SQL (postgres); (?i) at the start makes it case-insensitive'),
    actions: oneOrMany(z.string().min(1))
      .optional()
      .describe('globs over what the operation does in the target\'s terms (* matches anything, case-insensitive): "GET /repos/**"-style for http, "Microsoft.Compute/*/delete" for arm, statement types like "DropStmt" for postgres, program names like "rm" for ssh'),
    resources: oneOrMany(z.string().min(1)).optional().describe('globs over what it touches: tables, ARM resource ids, models'),
    command: oneOrMany(
      z
        .object({
          program: oneOrMany(z.string().min(1)).optional().describe('globs over the program, matched against its name (rm) and its path as written (/bin/rm); * matches anything'),
          args: z.string().optional().describe('regular expression over its arguments joined by single spaces, quotes resolved (e.g. "(^| )-[a-zA-Z]*[rR]" for a recursive rm)'),
        })
        .strict(),
    )
      .optional()
      .describe('commands (ssh, kubernetes exec), looked through sudo, env, xargs, sh -c…: a deny or review rule matches when any program the command runs matches (program and args; a list: any entry); an allow rule only when every program does'),
    flags: oneOrMany(z.string().min(1)).optional().describe('at least one of these risk flags is set (e.g. ddl, no-where, data-modifying-cte, opaque-code; for commands sudo, pipe-to-shell, command-substitution, redirect-write, background, unparsable, dynamic-program); a flag no connection the rule applies to can set is a problem, and policy check lists the ones they can)'),
    arguments: z
      .record(z.string().regex(JSON_PATH, 'is not a JSON path like $.path, $.files[*].name or $["a key"]'), z.string())
      .optional()
      .describe('an MCP tool call\'s (or prompt\'s) arguments: JSON path → regular expression; every path must select a value that matches (strings as they are, other values as JSON; any element for [*])'),
    toolCalls: z
      .object({
        name: oneOrMany(z.string().min(1)).optional().describe('globs over the tool\'s name (* matches anything, case-insensitive), e.g. Bash, "mcp__*"'),
        input: z.string().optional().describe('regular expression over the tool\'s input: its JSON, then each string value on a line of its own'),
      })
      .strict()
      .optional()
      .describe(
        'makes this a rule on the tool calls a model proposes in its answers (anthropic and openai connections), not on requests: each complete call is judged before the agent sees it; deny replaces it with a text saying why, review holds the answer for a human. The other fields match the request the answer belongs to',
      ),
  })
  .strict()
  .describe('every field given must match (AND); within a list, any entry matches (OR); an empty match matches everything');

export const reviewSchema = z
  .object({
    groups: z.array(z.string().min(1)).min(1).describe('reviewers must be in one of these groups'),
    minApprovals: z.number().int().min(1).max(10).default(1).describe('distinct reviewers who must approve'),
    timeout: reviewTimeout.optional().describe('how long the request waits for reviewers, 1s to 30d (default: approvals.timeout)'),
    elevate: z
      .literal('admin')
      .optional()
      .describe('an approved request runs with the connection\'s admin credential (credentials.admin); only an approval can grant it'),
  })
  .strict();

export const ruleSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes')
      .refine((n) => !(RESERVED_RULE_NAMES as readonly string[]).includes(n), 'is reserved for the guard\'s own decisions')
      .describe('unique name, shown to the agent and recorded'),
    description: z.string().optional(),
    match: matchSchema.default({}),
    action: z.enum(['allow', 'deny', 'review']).describe('when several rules match, deny beats review beats allow'),
    message: z.string().optional().describe('shown to the agent (and to reviewers)'),
    review: reviewSchema.optional().describe('required when action is review'),
    tier: z
      .enum(['read', 'write', 'admin'])
      .optional()
      .describe('on allow and review rules: the credential tier what the rule lets through runs with (credentials.read or .write), instead of the operation\'s own (read-only: read, else write). A wrong read fails safe: the read login cannot write. admin is refused here: only an approval grants it (review: { elevate: admin })'),
  })
  .strict();

export const policySchema = z
  .object({
    $schema: z.string().optional(),
    version: z.literal(1).describe('policy format version'),
    recording: z
      .enum(['strict', 'best-effort'])
      .default('strict')
      .describe('strict: a request whose events cannot be recorded is refused (503); best-effort: the failure is logged and counted'),
    auditors: z
      .object({ groups: z.array(z.string().min(1)).min(1).describe('principals in these groups may read session logs and any approval') })
      .strict()
      .optional(),
    approvals: z
      .object({ timeout: reviewTimeout.default('1h').describe('default time a held request waits for reviewers, 1s to 30d') })
      .strict()
      .default({ timeout: '1h' }),
    issuers: z.array(issuerSchema).min(1, 'at least one trusted issuer is required'),
    connections: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'connection names are lower-case letters, digits and dashes'), connectionSchema)
      .describe('connection name → connection'),
    rules: z.array(ruleSchema).default([]).describe('ordered; the most restrictive matching rule decides; no match: the connection\'s default (deny unless set)'),
    masking: maskingConfigSchema.optional(),
  })
  .strict();

export type PolicyDocument = z.infer<typeof policySchema>;
export type RuleDocument = z.infer<typeof ruleSchema>;
export type MatchDocument = z.infer<typeof matchSchema>;
export type ReviewDocument = z.infer<typeof reviewSchema>;
