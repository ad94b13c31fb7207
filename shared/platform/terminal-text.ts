// Recorded text on a terminal. Agents choose much of what the session log holds (model names, SQL
// identifiers, paths), and a terminal obeys control sequences and reorders bidi text: a recorded
// "\x1b[2J" clears the auditor's screen, U+202E makes text read backwards. Every printer of
// recorded text passes it through `visible`, which shows such characters as escapes instead.

/**
 * Characters that are not shown as themselves: controls (C0, DEL, C1), format characters (bidi
 * embeddings, overrides, isolates and marks, zero-width characters, the BOM, tag characters) and
 * the line and paragraph separators.
 */
export const INVISIBLE_CHARACTERS = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` with each invisible character written as an escape: `\x1b`, `\n`, `\u202e`, `\u{e0041}`. */
export function visible(text: string): string {
  return text.replace(INVISIBLE_CHARACTERS, (char) => {
    const code = char.codePointAt(0)!;
    if (SHORT[char]) return SHORT[char];
    if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
    if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
    return `\\u{${code.toString(16)}}`;
  });
}

/** Whether `text` holds a character `visible` would escape. */
export const hasInvisibleCharacters = (text: string): boolean => new RegExp(INVISIBLE_CHARACTERS.source, 'u').test(text);
