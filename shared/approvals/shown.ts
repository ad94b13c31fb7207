// Text from agents and requests as reviewers and auditors read it, on a page or a Teams card. Bidi
// overrides and isolates, zero-width and other invisible characters could make it read as something
// it is not (Trojan Source: U+202E turns "fdp.exe" into "exe.pdf"), so each is shown as its escape
// by the terminals' own `visible`. Line breaks and tabs are kept: they lay out a request body.
import { visible } from '../platform/terminal-text.js';

const LAYOUT = /(\r\n|\n|\t)/;

export const shown = (text: string): string =>
  text
    .split(LAYOUT)
    .map((part, i) => (i % 2 === 1 ? part : visible(part)))
    .join('');
