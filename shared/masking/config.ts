// The `masking:` section of the policy. Every field is optional; the policy schema embeds this
// one and exports it as JSON Schema, hence a description on each field.
import { z } from 'zod';
import { backtrackingReason } from './backtracking.js';
import { translateRe2 } from './re2.js';
import { DEFAULT_IGNORED_KEYS, DEFAULT_SENSITIVE_KEYS } from './sensitive-keys.js';

const ruleId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'use letters, digits, ".", "_" and "-" (at most 100)');

export const replacementSchema = z
  .union([
    z.literal('full').describe('Replace the whole value with [MASKED:rule-id].'),
    z
      .object({
        keep: z.number().int().min(1).max(32).describe('Characters kept from the end of the value (never more than a quarter of it).'),
      })
      .strict()
      .describe('Replace the value with [MASKED:rule-id] followed by its last characters.'),
  ])
  .describe('How a finding is replaced: "full", or { keep: N } to keep the last N characters.');

const customRuleSchema = z
  .object({
    id: ruleId.describe('Rule id, shown in [MASKED:id] and in findings.'),
    description: z.string().optional().describe('What the rule finds (for people).'),
    regex: z.string().min(1).describe('Pattern in RE2 syntax, as in gitleaks packs (inline flags such as (?i) allowed).'),
    keywords: z
      .array(z.string().min(1))
      .optional()
      .describe('Case-insensitive words of which at least one appears in every match; the regex runs only near them. Without keywords the regex runs over all text (slower).'),
    entropy: z.number().min(0).max(8).optional().describe('Minimum Shannon entropy (bits per character) of the secret.'),
    secretGroup: z.number().int().min(0).optional().describe('Capture group holding the secret; 0 is the whole match. Default: the first non-empty group, else the whole match.'),
    replacement: replacementSchema.optional(),
  })
  .strict()
  .superRefine((rule, ctx) => {
    const backtracks = backtrackingReason(rule.regex);
    if (backtracks) {
      ctx.addIssue({ code: 'custom', path: ['regex'], message: `cannot be used: ${backtracks}` });
      return;
    }
    const translated = translateRe2(rule.regex);
    if (!translated.ok) {
      ctx.addIssue({ code: 'custom', path: ['regex'], message: `cannot be used: ${translated.reason}` });
      return;
    }
    let groups: number;
    try {
      groups = new RegExp(`${translated.source}|`, translated.flags).exec('')!.length - 1;
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['regex'], message: `invalid: ${(error as Error).message}` });
      return;
    }
    if (rule.secretGroup !== undefined && rule.secretGroup > groups) {
      ctx.addIssue({ code: 'custom', path: ['secretGroup'], message: `the regex has ${groups} capture group(s)` });
    }
  })
  .describe('A secret rule of the policy\'s own.');

const piiToggle = (what: string, on: boolean) =>
  z.boolean().default(on).describe(`Mask ${what} (default ${on ? 'on' : 'off'}).`);

const piiSchema = z
  .object({
    email: piiToggle('email addresses', true),
    phone: piiToggle('phone numbers (international with +, or North American with separators)', true),
    card: piiToggle('payment card numbers (issuer prefix and Luhn checked)', true),
    iban: piiToggle('IBANs (country length and mod-97 checked)', true),
    ssn: piiToggle('US social security numbers (AAA-GG-SSSS outside never-issued ranges)', true),
    ip: piiToggle('IPv4 and IPv6 addresses; off by default because infrastructure responses are full of addresses agents need', false),
  })
  .strict()
  .describe('Which kinds of personal data are masked.');

const sensitiveKeysSchema = z
  .object({
    mode: z
      .enum(['extend', 'replace'])
      .default('extend')
      .describe('"extend" adds `names` to the built-in list; "replace" uses `names` alone.'),
    names: z
      .array(z.string().min(1))
      .default([])
      .describe('Key names whose JSON values are masked whatever they hold. Case, "_", "-", "." and spaces are ignored; a key matches a name it equals or ends with (dbPassword matches password). A name that starts with "_" matches only as the last word of a key of several ("_pass": DB_PASS and smtp.pass, not bypass or pass alone).'),
    ignore: z
      .array(z.string().min(1))
      .default([...DEFAULT_IGNORED_KEYS])
      .describe('Keys never masked by name even though they end like one (paging cursors such as nextPageToken).'),
  })
  .strict()
  .describe(`JSON keys whose values are always masked. Built-in: ${DEFAULT_SENSITIVE_KEYS.join(', ')}.`);

export const maskingConfigSchema = z
  .object({
    sensitiveKeys: sensitiveKeysSchema.default({ mode: 'extend', names: [], ignore: [...DEFAULT_IGNORED_KEYS] }),
    pii: piiSchema.default({ email: true, phone: true, card: true, iban: true, ssn: true, ip: false }),
    rules: z.array(customRuleSchema).default([]).describe('Secret rules added by the policy.'),
    replacements: z
      .record(ruleId, replacementSchema)
      .default({})
      .describe('Replacement per rule id (built-in, custom, pack, "sensitive-key" or "pii-*"), overriding the rule\'s own.'),
    disabled: z.array(z.string().min(1)).default([]).describe('Rule ids switched off (built-in, custom, pack, "sensitive-key" or "pii-*").'),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.rules.forEach((rule, index) => {
      if (seen.has(rule.id)) ctx.addIssue({ code: 'custom', path: ['rules', index, 'id'], message: `duplicate rule id "${rule.id}"` });
      seen.add(rule.id);
    });
  })
  .describe('How secrets and personal data are masked in responses, recorded payloads and LLM prompts.');

export type MaskingConfig = z.infer<typeof maskingConfigSchema>;
/** What callers may pass: any field may be left out. */
export type MaskingConfigInput = z.input<typeof maskingConfigSchema>;
export type CustomRule = z.infer<typeof customRuleSchema>;
