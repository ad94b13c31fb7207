// What a rule is, once compiled: regex rules found through keywords, and scanners that find
// their own candidates (PII with validators).

/** How a finding is replaced: `[MASKED:rule-id]`, optionally followed by the value's last N characters. */
export type Replacement = { kind: 'full' } | { kind: 'keep'; keep: number };

export interface RegexRule {
  id: string;
  /** Lower-case keywords; the regex runs only near them. None: the regex runs over the whole text. */
  keywords: string[];
  regex: RegExp;
  /**
   * Built-in rules whose match starts `lead` characters before a keyword (usually 0) run as a
   * sticky regex at each keyword hit. Others run in windows around the hits.
   */
  anchoredLead?: number;
  /**
   * How far a match can reach past its keyword, for a stream's hold-back: within the word
   * (no whitespace), within the line, or across lines (up to the regex's longest match).
   */
  extent?: 'word' | 'line' | 'block';
  /** A literal every match contains after its keyword: hits without it within reach are skipped unread. */
  requires?: string;
  /**
   * ASCII characters that make up every match, the character after a match being none of them
   * (a token and its boundary): a hit whose run of them is longer than the longest match is
   * skipped unread. Keywords repeated inside one long run then cost a table read each, not a
   * regex run that reads to the rule's longest match and fails.
   */
  run?: RegExp;
  /** Group holding the secret: 0 is the whole match; unset is the first non-empty group, else the whole match. */
  secretGroup?: number;
  /** Minimum Shannon entropy (bits per character) of the secret. */
  entropy?: number;
  /** True when a candidate is known not to be a secret (allowlists, placeholders, code). */
  allow?: (secret: string, match: string, line: () => string) => boolean;
  replacement?: Replacement;
}

export interface ScanRule {
  id: string;
  /** Gate patterns (see gates.ts): the scanner need look only where one of them matches. */
  gates: readonly string[];
  /** Calls `emit` for each validated finding; `starts` are the offsets, ascending, where a gate match starts. */
  scan(text: string, starts: Iterable<number>, emit: (start: number, end: number) => void): void;
  /** For streams: the earliest offset where a finding may still be forming at the end of `text`. */
  holdFrom(text: string): number;
  replacement?: Replacement;
  /**
   * Some of its spans end where it guesses (the rest of a line, assignments.ts): another rule's
   * finding inside one of its spans is what is masked of it, rather than the two joined.
   */
  yields?: boolean;
}

/** A detected value: [start, end) in the scanned text. */
export interface Span {
  start: number;
  end: number;
  rule: string;
  replacement: Replacement;
  /** Which rule wins when spans start and end together: lower first (rules in configuration order). */
  order: number;
  /** Gives way to another rule's finding inside it (ScanRule.yields). */
  yields?: boolean;
}
