// multipart/form-data (curl -F, HTML forms, file uploads) masked part by part. Read as one text,
// a field's name (`Content-Disposition: form-data; name="password"`) and its value (on a line of
// its own, after a blank one) are not a key and its value to any rule. Here each field's value is
// masked as the value of a key of its name, so a password is masked however it reads; a file by
// its own content type (a JSON file in JSON mode); each part's headers, and what comes before the
// first part and after the last, as text. Every byte between is kept as sent.
import type { Finding } from './redact.js';

export interface PartMasker {
  text(input: string): { text: string; findings: Finding[] };
  json(value: unknown, path?: string): { value: unknown; findings: Finding[] };
  auto(body: string, contentType?: string): { text: string; findings: Finding[] };
}

const MULTIPART = /^\s*multipart\/[^;\s]+/i;
const BOUNDARY = /;\s*boundary\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i;

/** The boundary of a multipart content type; undefined for any other type. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (contentType === undefined || !MULTIPART.test(contentType)) return undefined;
  const match = BOUNDARY.exec(contentType);
  if (!match) return undefined;
  const boundary = match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2]!;
  return boundary === '' ? undefined : boundary;
}

interface Part {
  /** Where the part's headers start (after the delimiter line) and its content ends (before the CRLF of the next delimiter). */
  start: number;
  end: number;
}

/**
 * The parts between `--boundary` lines (at the start of the body or of a line), as servers split
 * them; undefined when the body holds no delimiter. A body cut short (a recorded window of it)
 * ends in its last part.
 */
function splitParts(body: string, boundary: string): { parts: Part[]; preambleEnd: number; epilogueStart: number } | undefined {
  const delimiter = `--${boundary}`;
  const found: number[] = [];
  for (let at = body.indexOf(delimiter); at >= 0; at = body.indexOf(delimiter, at + delimiter.length)) {
    if (at === 0 || body.charCodeAt(at - 1) === 10) found.push(at);
  }
  const parts: Part[] = [];
  for (let i = 0; i < found.length; i++) {
    const after = found[i]! + delimiter.length;
    if (body.startsWith('--', after)) {
      if (i === 0) return undefined;
      return { parts, preambleEnd: found[0]!, epilogueStart: after + 2 };
    }
    const next = found[i + 1] ?? body.length;
    const lineEnd = body.indexOf('\n', after);
    if (lineEnd < 0 || lineEnd >= next) return undefined;
    // The content ends before the line break that starts the next delimiter line.
    const end = next === body.length ? next : body.charCodeAt(next - 2) === 13 ? next - 2 : next - 1;
    parts.push({ start: lineEnd + 1, end: Math.max(lineEnd + 1, end) });
  }
  return found.length === 0 ? undefined : { parts, preambleEnd: found[0]!, epilogueStart: body.length };
}

const DISPOSITION = /^content-disposition\s*:(.*)$/im;
const PART_TYPE = /^content-type\s*:(.*)$/im;

/** A parameter of a Content-Disposition header (`name="…"`, `filename=…`). */
function dispositionParam(header: string, name: string): string | undefined {
  const match = new RegExp(`;\\s*${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, 'i').exec(header);
  return match ? (match[1] ?? match[2]) : undefined;
}

/**
 * The body masked part by part; undefined when it does not split into the parts its boundary
 * says, for the caller to mask it as text.
 */
export function maskMultipart(body: string, boundary: string, masker: PartMasker): { text: string; findings: Finding[] } | undefined {
  const split = splitParts(body, boundary);
  if (!split) return undefined;
  const findings: Finding[] = [];
  const out: string[] = [];
  const text = (piece: string) => {
    if (piece === '') return piece;
    const masked = masker.text(piece);
    findings.push(...masked.findings);
    return masked.text;
  };
  out.push(text(body.slice(0, split.preambleEnd)));
  let kept = split.preambleEnd;
  for (const part of split.parts) {
    out.push(body.slice(kept, part.start));
    const raw = body.slice(part.start, part.end);
    const blank = /\r?\n\r?\n/.exec(raw);
    // No blank line: all of it is headers, with an empty content.
    const headersEnd = blank ? blank.index : raw.length;
    const contentStart = blank ? blank.index + blank[0].length : raw.length;
    const headers = raw.slice(0, headersEnd);
    out.push(text(headers), raw.slice(headersEnd, contentStart), maskContent(raw.slice(contentStart), headers, masker, findings));
    kept = part.end;
  }
  out.push(body.slice(kept, split.epilogueStart), text(body.slice(split.epilogueStart)));
  return { text: out.join(''), findings };
}

function maskContent(content: string, headers: string, masker: PartMasker, findings: Finding[]): string {
  if (content === '') return content;
  const disposition = DISPOSITION.exec(headers)?.[1] ?? '';
  const name = dispositionParam(disposition, 'name');
  const isFile = dispositionParam(disposition, 'filename') !== undefined || dispositionParam(disposition, 'filename\\*') !== undefined;
  if (name !== undefined && !isFile) {
    const masked = masker.json({ [name]: content }, '$');
    findings.push(...masked.findings);
    const value = (masked.value as Record<string, unknown>)[name];
    if (typeof value === 'string') return value;
  }
  const masked = masker.auto(content, PART_TYPE.exec(headers)?.[1]?.trim());
  findings.push(...masked.findings);
  return masked.text;
}

/**
 * A body that leaves for an upstream, masked byte-exactly where it is not text: read as Latin-1
 * (one character per byte), each piece the masker is given is decoded as UTF-8 when it is text
 * and written back encoded; a piece that is not UTF-8 text (an image, audio) is kept as sent.
 */
export function maskMultipartBytes(bytes: Uint8Array, boundary: string, masker: PartMasker): { bytes: Uint8Array; findings: Finding[] } | undefined {
  const masked = maskMultipart(Buffer.from(bytes).toString('latin1'), boundary, latin1View(masker));
  return masked && { bytes: Buffer.from(masked.text, 'latin1'), findings: masked.findings };
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes as text when they are UTF-8 text (no NUL); undefined for bytes that are not (an image, audio). */
export function utf8Text(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** UTF-8 text held one byte per character; undefined for bytes that are not text. */
const utf8Of = (latin1: string) => utf8Text(Buffer.from(latin1, 'latin1'));

const toLatin1 = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

function latin1View(masker: PartMasker): PartMasker {
  const kept = (text: string) => ({ text, findings: [] as Finding[] });
  return {
    text(input) {
      const text = utf8Of(input);
      if (text === undefined) return kept(input);
      const masked = masker.text(text);
      return { text: toLatin1(masked.text), findings: masked.findings };
    },
    auto(input, contentType) {
      const text = utf8Of(input);
      if (text === undefined) return kept(input);
      const masked = masker.auto(text, contentType);
      return { text: toLatin1(masked.text), findings: masked.findings };
    },
    json(value, path) {
      const [[name, input]] = Object.entries(value as Record<string, string>) as [[string, string]];
      const text = utf8Of(input);
      if (text === undefined) return { value, findings: [] };
      const masked = masker.json({ [utf8Of(name) ?? name]: text }, path);
      const out = Object.values(masked.value as Record<string, unknown>)[0];
      return { value: { [name]: toLatin1(typeof out === 'string' ? out : masker.text(text).text) }, findings: masked.findings };
    },
  };
}
