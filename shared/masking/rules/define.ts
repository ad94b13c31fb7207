// How the project's rules are written: each runs as a sticky regex at its keyword hits
// (`anchoredLead`), so its cost is per hit, not per byte.
import type { RegexRule } from '../rule.js';
import { isIntegrityDigest, looksLikeExample, namesExample } from './filters.js';

type Options = Pick<RegexRule, 'secretGroup' | 'entropy' | 'allow' | 'extent' | 'requires' | 'run'> & {
  lead?: number;
  /** The format carries a signature at a fixed place: a run of one character in it is no placeholder (namesExample). */
  signed?: boolean;
};

export const rule = (id: string, keywords: string[], regex: RegExp, options: Options = {}): RegexRule => ({
  id,
  keywords,
  regex,
  anchoredLead: options.lead ?? 0,
  extent: options.extent ?? 'word',
  ...(options.secretGroup !== undefined && { secretGroup: options.secretGroup }),
  ...(options.entropy !== undefined && { entropy: options.entropy }),
  // No rule masks a documentation example, a placeholder or an integrity digest, whatever else it allows.
  allow: (secret, match, line) =>
    (options.signed ? namesExample(secret) : looksLikeExample(secret)) ||
    isIntegrityDigest(secret, line) ||
    (options.allow !== undefined && options.allow(secret, match, line)),
  ...(options.requires !== undefined && { requires: options.requires }),
  ...(options.run !== undefined && { run: options.run }),
});

/** A GUID's source, either case. */
export const GUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/**
 * The separator between a name and its value, as written in code, config, JSON (also nested,
 * escaped); and a comparison with a literal (`if password == "…"`), which writes the value too.
 */
export const SEPARATOR = String.raw`\\?["'\x60]?\s*(?:={1,3}|!==?|:=|:|=>|\?=)\s*\\?["'\x60]?`;
/** SEPARATOR after the rest of a name that starts with a rule's keyword (DB_PASSWORD after password). */
export const ASSIGN = String.raw`[\w.-]{0,24}?` + SEPARATOR;

