// JSON mode over JSON text: masks inside string values (and keys, and integers that are card
// numbers) without re-serializing, so numbers, spacing and key order stay byte for byte.
// Detection runs once over the whole text; one pass over the structure then validates it,
// maps each span to the string it lies in, and masks values under sensitive keys. Strings
// with escapes are decoded and masked on their own (a secret may hide behind `\/` or
// `\u0041`), as is JSON nested inside a string. The walk is iterative and allocates little
// per token, so size and nesting cost time and memory, not stack.
import { maskBase64, maybeBase64 } from './base64.js';
import { declarationAt, declaresValue, READ_AHEAD } from './declarations.js';
import { distinctKey } from './distinct-keys.js';
import type { Core } from './core.js';
import { SENSITIVE_KEY_RULE } from './core.js';
import { childPath, reroot } from './json-path.js';
import { KUBERNETES_SECRET_RULE, LAST_APPLIED, SECRET_FIELDS } from './kubernetes-secrets.js';
import { MAX_JSON_DEPTH } from './limits.js';
import { findingFor, redact, replacementText, type Finding } from './redact.js';
import { standsIn } from './rules/filters.js';
import type { Span } from './rule.js';

/**
 * Members that name their object's pair, whose "value" is then masked when the name is a
 * sensitive key's: {"name": "DB_PASSWORD", "value": "…"} as app settings (az webapp config
 * appsettings list), container env (Kubernetes, ACI) and listKeys answers ("keyName") carry
 * them, {"key": "Db:Password", "value": "…"} as App Configuration does. Over JSON text the name
 * must come before the value, as these APIs write it; over parsed values, in any order.
 */
export const PAIR_NAMES: readonly string[] = ['name', 'key', 'keyName'];
/** Longer pair names are not read as key names. */
export const MAX_PAIR_NAME = 128;

/**
 * A Key Vault secret's id (https://<vault>.vault.azure.net/secrets/<name>/…, in any cloud): a
 * document holding one is a secret bundle (GET secret, az keyvault secret show), whose string
 * `value` is the secret itself, masked as a sensitive key's would be. A list of secrets has ids
 * but no string `value`.
 */
export const KEY_VAULT_SECRET = /\.vault\.(?:azure\.net|azure\.cn|usgovcloudapi\.net|microsoftazure\.de)(?::443)?(?:\/|\\\/)secrets(?:\/|\\\/)/;

/**
 * Levels a finding's location names; below them it ends in `…`. A location as deep as the
 * document would make each finding as long as the nesting, and a body nested a hundred thousand
 * levels with a value at each would take gigabytes of locations.
 */
const PATH_LEVELS = 64;

const isDigit = (c: number) => c >= 48 && c <= 57;
const isWhitespace = (c: number) => c <= 32 && (c === 32 || c === 10 || c === 13 || c === 9);

const enum Expect {
  Value,
  FirstValueOrEnd,
  FirstKeyOrEnd,
  AfterValue,
}

/** An array index, or KEY: the key just read (or nothing, at the top level). */
type Member = number;
const KEY = -1;

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** A string a Kubernetes Secret masks whole: where it lies (quotes included), and its path. */
interface SecretValue {
  start: number;
  end: number;
  location: string;
}

/** Masks JSON text; undefined when `text` is not JSON (the caller falls back to text mode). */
export function maskJsonText(text: string, core: Core, root = '$', depth = 0): { text: string; findings: Finding[] } | undefined {
  return new Walk(text, core, root, depth, core.engine.detect(text)).run();
}

/** Masks one decoded string value: as JSON when it holds JSON, as the text it carries when it is base64 text, else as text. */
export function maskString(value: string, core: Core, path: string, depth: number, findings: Finding[]): string {
  const carried = maskBase64(value, depth, (decoded, inner) => maskString(decoded, core, `${path}:base64`, inner, findings));
  if (carried !== undefined) return carried;
  if (depth < MAX_JSON_DEPTH && looksLikeJson(value)) {
    const nested = maskJsonText(value, core, path, depth + 1);
    if (nested) {
      findings.push(...nested.findings);
      return nested.text;
    }
  }
  return redact(value, core.engine.detect(value), (offset) => `${path}:${offset}`, findings);
}

function looksLikeJson(value: string): boolean {
  let s = 0;
  while (s < value.length && isWhitespace(value.charCodeAt(s))) s++;
  let e = value.length - 1;
  while (e > s && isWhitespace(value.charCodeAt(e))) e--;
  const first = value.charCodeAt(s);
  const last = value.charCodeAt(e);
  return (first === 123 && last === 125) || (first === 91 && last === 93);
}

/** The first offset from `i` that is not JSON white space. */
function skipWhitespace(text: string, i: number): number {
  while (isWhitespace(text.charCodeAt(i))) i++;
  return i;
}

/**
 * JSON mode over JSON text whose spans were found beforehand, walked a part at a time
 * (`step`): a large body is masked in slices, the event loop served between them (sliced.ts).
 */
export function jsonWalk(text: string, core: Core, spans: readonly Span[]): Walk {
  return new Walk(text, core, '$', 0, spans);
}

export class Walk {
  private expect = Expect.Value;
  private i = 0;
  result: { text: string; findings: Finding[] } | undefined;
  private nextBackslash = -2;
  private span = 0;
  private readonly edits: Edit[] = [];
  private readonly findings: Finding[] = [];
  // The open containers, innermost last.
  private readonly isObject: boolean[] = [];
  private readonly count: number[] = [];
  private readonly member: (string | number)[] = [];
  /** Per open container, its path once a finding needed it (containerPath). */
  private readonly paths: (string | undefined)[] = [];
  private readonly sensitive: boolean[] = [];
  /** Per open container: an object under a sensitive key that declares a value rather than holds one (declarations.ts). */
  private readonly declared: boolean[] = [];
  /**
   * The document is a Kubernetes object, or a list of them: under a sensitive key, an object
   * or array is the API's structure (a pod's `secret` volume names its Secret, its projected
   * `serviceAccountToken` gives a path and a lifetime), and only a value whose own key is
   * sensitive is masked. A Secret's values are the kubernetes-secret rule's.
   */
  private apiObject = false;
  /** Characters declarationAt may still read ahead. */
  private readAhead: number;
  // The key just read: its raw text [keyStart, keyEnd), quotes included, and its decoded text
  // when it has escapes. Most keys are never needed as strings, so they are not sliced.
  private keyStart = 0;
  private keyEnd = 0;
  private keyDecoded: string | undefined;
  /** The key just read as masked, when it held a finding: paths name it so, never by the secret. */
  private keyMasked: string | undefined;
  private keySensitive = false;
  /** The key just read is "value", in a document that holds a Key Vault secret (see KEY_VAULT_SECRET). */
  private keyIsSecretValue = false;
  /** The key just read names its object's pair ("name", "key", "keyName"); see PAIR_NAMES. */
  private keyNamesPair = false;
  /** Per open container: an object whose pair's name is sensitive, so its "value" is. */
  private readonly named: boolean[] = [];
  /**
   * Per open container, for a Kubernetes Secret (kubernetes-secrets.ts): whether it is an object
   * whose `kind` is "Secret"; the strings under its `data` and `stringData` and its last-applied
   * annotation (where each lies, and its path), masked whole when it closes a Secret (`kind` may come after
   * them, as kubectl writes it); and the edits made before it opened, which those replace none of.
   */
  private readonly secretKind: boolean[] = [];
  /** Per open container: an object whose `kind` is "SecretList", whose items are Secrets without a kind of their own (the API server writes kind first). */
  private readonly secretList: boolean[] = [];
  private readonly secretValues: (SecretValue[] | undefined)[] = [];
  private readonly editsBefore: number[] = [];
  /** Per open container, the keys masked in it (made when one is): two masked alike stay two keys (distinct-keys.ts). */
  private readonly maskedKeys: (Set<string> | undefined)[] = [];
  /** Edits were added out of order (a Secret's values, when it closed). */
  private unsorted = false;
  private readonly secretBundle: boolean;

  constructor(
    private readonly text: string,
    private readonly core: Core,
    private readonly root: string,
    private readonly depth: number,
    private readonly spans: readonly Span[],
  ) {
    this.secretBundle = core.isSensitiveKey !== undefined && KEY_VAULT_SECRET.test(text);
    this.readAhead = text.length + READ_AHEAD;
  }

  run(): { text: string; findings: Finding[] } | undefined {
    this.step(Infinity);
    return this.result;
  }

  /**
   * Walks on to offset `until` (at least one token), or to the end; true when the walk is over,
   * its result set (undefined when the text is not JSON).
   */
  step(until: number): boolean {
    const { text } = this;
    const n = text.length;
    let { expect, i } = this;
    for (;;) {
      if (i >= until && i < n) {
        this.expect = expect;
        this.i = i;
        return false;
      }
      // Not read past the end: V8 would compile the walk again for it.
      let c = i < n ? text.charCodeAt(i) : -1;
      if (isWhitespace(c)) c = (i = skipWhitespace(text, i)) < n ? text.charCodeAt(i) : -1;
      if (i >= n) {
        if (expect === Expect.AfterValue && this.isObject.length === 0) break;
        return this.over(undefined);
      }
      const top = this.isObject.length - 1;
      switch (expect) {
        case Expect.FirstValueOrEnd:
        case Expect.Value: {
          if (expect === Expect.FirstValueOrEnd && c === 93) {
            this.close();
            i++;
            expect = Expect.AfterValue;
            break;
          }
          const inObject = top >= 0 && this.isObject[top]!;
          const member: Member = top < 0 || inObject ? KEY : this.count[top]!++;
          const sensitive =
            top >= 0 && (this.sensitive[top]! || (inObject && (this.keySensitive || (this.declared[top]! && declaresValue(this.keyName())))));
          if (c === 123 || c === 91) {
            // Under a sensitive key, a schema or a template parameter keeps its words (declarations.ts).
            const declared = sensitive && c === 123 && this.declarationAt(i);
            this.isObject.push(c === 123);
            this.count.push(0);
            this.member.push(top < 0 ? '' : this.name(member));
            this.paths.push(undefined);
            this.sensitive.push(sensitive && !declared && !this.apiObject);
            this.declared.push(declared);
            this.named.push(false);
            this.secretKind.push(c === 123 && top >= 1 && !inObject && this.member[top] === 'items' && this.secretList[top - 1]!);
            this.secretList.push(false);
            this.secretValues.push(undefined);
            this.editsBefore.push(this.edits.length);
            this.maskedKeys.push(undefined);
            i++;
            expect = c === 123 ? Expect.FirstKeyOrEnd : Expect.FirstValueOrEnd;
            break;
          }
          if (c === 34) {
            i = this.stringToken(i, member, sensitive || (inObject && this.keyIsSecretValue), false);
            if (i < 0) return this.over(undefined);
          } else if (c === 45 || isDigit(c)) {
            const end = numberEnd(text, i);
            if (end < 0) return this.over(undefined);
            this.numberToken(i, end, member, sensitive);
            i = end;
          } else if (c === 116 && text.startsWith('true', i)) i += 4;
          else if (c === 102 && text.startsWith('false', i)) i += 5;
          else if (c === 110 && text.startsWith('null', i)) i += 4;
          else return this.over(undefined);
          expect = Expect.AfterValue;
          break;
        }
        case Expect.FirstKeyOrEnd:
          if (c === 125) {
            this.close();
            i++;
            expect = Expect.AfterValue;
            break;
          }
          i = this.key(i);
          if (i < 0) return this.over(undefined);
          if (top === 0 && this.opensApiObject(i)) this.apiObject = true;
          expect = Expect.Value;
          break;
        case Expect.AfterValue:
          if (top < 0) return this.over(undefined); // text after the top-level value
          if (c === 44) {
            // In an object the next key follows: read it now, saving a turn of the loop.
            if (this.isObject[top]) {
              i = this.key(skipWhitespace(text, i + 1));
              if (i < 0) return this.over(undefined);
            } else i++;
            expect = Expect.Value;
            break;
          }
          if (c !== (this.isObject[top] ? 125 : 93)) return this.over(undefined);
          this.close();
          i++;
          break;
      }
    }
    if (this.edits.length === 0) return this.over({ text, findings: [] });
    if (this.unsorted) this.edits.sort((a, b) => a.start - b.start);
    let out = '';
    let at = 0;
    for (const edit of this.edits) {
      out += text.slice(at, edit.start) + edit.text;
      at = edit.end;
    }
    return this.over({ text: out + text.slice(at), findings: this.findings });
  }

  /**
   * Whether the object at `open` is a declaration, read ahead within a budget of the text's
   * length and READ_AHEAD more: nested objects under a sensitive key each read ahead, and past
   * the budget an object is taken for a value (masked), so the walk stays linear.
   */
  private declarationAt(open: number): boolean {
    if (this.readAhead <= 0) return false;
    const { declared, read } = declarationAt(this.text, open, open + Math.min(READ_AHEAD, this.readAhead));
    this.readAhead -= read - open;
    return declared;
  }

  private over(result: { text: string; findings: Finding[] } | undefined): true {
    this.result = result;
    return true;
  }

  /** Reads a key and its colon at `i`; returns the offset after the colon, or -1. */
  private key(i: number): number {
    if (this.text.charCodeAt(i) !== 34) return -1;
    const start = i;
    i = this.stringToken(i, KEY, false, true);
    if (i < 0) return -1;
    // A key already written as a masked one (masked output sent back) is kept apart from those masked here.
    const first = this.text.charCodeAt(start + 1);
    if (this.keyMasked === undefined && (first === 91 || first === 92)) this.keepApart(start, i);
    if (this.text.charCodeAt(i) !== 58) i = skipWhitespace(this.text, i);
    return this.text.charCodeAt(i) === 58 ? i + 1 : -1;
  }

  private close() {
    this.isObject.pop();
    this.count.pop();
    this.member.pop();
    this.paths.pop();
    this.sensitive.pop();
    this.declared.pop();
    this.named.pop();
    const secret = this.secretKind.pop();
    this.secretList.pop();
    const values = this.secretValues.pop();
    const before = this.editsBefore.pop()!;
    this.maskedKeys.pop();
    // Values are only noted while the rule is on (noteSecretValue).
    if (secret && values) this.maskSecretValues(values, before);
  }

  private name(member: Member): string | number {
    return member === KEY ? this.keyName() : member;
  }

  /** The key just read, as masked when it held a finding. */
  private keyName(): string {
    return this.keyMasked ?? this.keyDecoded ?? this.text.slice(this.keyStart + 1, this.keyEnd - 1);
  }

  private path(member: Member): string {
    const top = this.paths.length - 1;
    if (top < 0) return this.root;
    return this.below(this.containerPath(top), top, this.name(member));
  }

  /**
   * The path of open container `level`, made from the nearest one above it already made: each
   * container's once, and only where a finding needs it (most documents have none).
   */
  private containerPath(level: number): string {
    let known = level;
    while (known >= 0 && this.paths[known] === undefined) known--;
    if (known < 0) this.paths[(known = 0)] = this.root;
    for (let k = known + 1; k <= level; k++) this.paths[k] = this.below(this.paths[k - 1]!, k - 1, this.member[k]!);
    return this.paths[level]!;
  }

  /** The path of `member` in the container at `level` whose path is `parent`: `…` past PATH_LEVELS. */
  private below(parent: string, level: number, member: string | number): string {
    return level < PATH_LEVELS ? childPath(parent, member) : level === PATH_LEVELS ? `${parent}…` : parent;
  }

  /** Reads the string at `start` (a key or a value) and masks what it must; returns its end, or -1 when it is not a JSON string. */
  private stringToken(start: number, member: Member, sensitive: boolean, isKey: boolean): number {
    const { text } = this;
    let j = start + 1;
    let end: number;
    for (;;) {
      const q = text.indexOf('"', j);
      if (q === -1) return -1;
      let b = q - 1;
      while (b > start && text.charCodeAt(b) === 92) b--;
      if (((q - 1 - b) & 1) === 0) {
        end = q + 1;
        break;
      }
      j = q + 1;
    }
    if (this.nextBackslash !== -1 && this.nextBackslash < start) this.nextBackslash = text.indexOf('\\', start);
    const escaped = this.nextBackslash !== -1 && this.nextBackslash < end;

    let decoded: string | undefined;
    if (escaped) {
      try {
        decoded = JSON.parse(text.slice(start, end)) as string;
      } catch {
        return -1;
      }
    }
    if (isKey) {
      this.keyStart = start;
      this.keyEnd = end;
      this.keyDecoded = decoded;
      this.keyMasked = undefined;
      const { isSensitiveKey, mayBeSensitiveKey } = this.core;
      // An escaped key is judged by its decoded text: escapes cannot hide a sensitive name.
      this.keySensitive =
        isSensitiveKey !== undefined &&
        (decoded !== undefined ? isSensitiveKey(decoded) : mayBeSensitiveKey(text, start + 1, end - 1) && isSensitiveKey(text.slice(start + 1, end - 1)));
      // Compared in place, not sliced, and by length first: most keys are none of these.
      const length = decoded !== undefined ? decoded.length : end - start - 2;
      const isValue = length === 5 && this.keyIs('value', start, end, decoded);
      this.keyIsSecretValue = this.secretBundle && isValue;
      this.keyNamesPair =
        isSensitiveKey !== undefined &&
        (length === 4 ? this.keyIs('name', start, end, decoded) : length === 3 ? this.keyIs('key', start, end, decoded) : length === 7 && this.keyIs('keyName', start, end, decoded));
      if (isValue && this.named[this.named.length - 1]) this.keySensitive = true;
    }
    if (!isKey && member === KEY && this.keyNamesPair && end - start <= MAX_PAIR_NAME + 2) {
      const named =
        decoded !== undefined ? this.core.isSensitiveKey!(decoded) : this.core.mayBeSensitiveKey(text, start + 1, end - 1) && this.core.isSensitiveKey!(text.slice(start + 1, end - 1));
      if (named) this.named[this.named.length - 1] = true;
    }
    if (!isKey && member === KEY && this.core.kubernetesSecret) this.noteSecretValue(start, end, decoded);
    if (sensitive && !isKey) {
      const value = decoded ?? text.slice(start + 1, end - 1);
      if (!standsIn(value) || this.inheritsSensitive()) {
        this.findings.push(findingFor(SENSITIVE_KEY_RULE, this.path(member), value));
        this.edits.push({ start, end, text: JSON.stringify(replacementText(SENSITIVE_KEY_RULE, this.core.sensitiveReplacement, value)) });
        return end;
      }
    }
    if (decoded !== undefined) {
      const findings: Finding[] = [];
      const path = this.path(member);
      let masked = maskString(decoded, this.core, path, this.depth, findings);
      if (masked !== decoded) {
        if (isKey) this.renameKey((masked = this.distinct(masked)), path, findings);
        this.findings.push(...findings);
        this.edits.push({ start, end, text: JSON.stringify(masked) });
      }
      return end;
    }
    if (!isKey && maybeBase64(text, start + 1, end - 1)) {
      const findings: Finding[] = [];
      const raw = text.slice(start + 1, end - 1);
      const carried = maskBase64(raw, this.depth, (decoded, inner) => maskString(decoded, this.core, `${this.path(member)}:base64`, inner, findings));
      if (carried !== undefined) {
        this.findings.push(...findings);
        this.edits.push({ start, end, text: JSON.stringify(carried) });
        return end;
      }
    }
    const k = this.firstOverlapping(start + 1);
    if (k < this.spans.length && this.spans[k]!.start < end - 1) {
      const edits = this.edits.length;
      const findings = this.findings.length;
      this.maskSpansIn(start + 1, end - 1, member);
      if (isKey) {
        const path = this.path(member);
        // The key's edits as one: its masked text may take a suffix to stay distinct. No escapes in it, so it is its own JSON text.
        const masked = this.distinct(this.edited(start + 1, end - 1, edits));
        this.edits.length = edits;
        this.edits.push({ start, end, text: `"${masked}"` });
        this.renameKey(masked, path, this.findings.slice(findings));
      }
    }
    return end;
  }

  /**
   * Whether the value being read is sensitive by its container (an object or array under a
   * sensitive key, a declaration's default), not by its own key alone: such a value is masked
   * whatever it says, stand-ins included (standsIn spares only a value its own key names).
   */
  private inheritsSensitive(): boolean {
    const top = this.sensitive.length - 1;
    return top >= 0 && (this.sensitive[top]! || (this.declared[top]! && declaresValue(this.keyName())));
  }

  /** A string value read in an object: a Secret's kind, or one of the values a Secret masks whole. */
  private noteSecretValue(start: number, end: number, decoded: string | undefined) {
    const top = this.isObject.length - 1;
    if (this.keyIs('kind', this.keyStart, this.keyEnd, this.keyDecoded)) {
      const kind = decoded ?? this.text.slice(start + 1, end - 1);
      if (kind === 'Secret') this.secretKind[top] = true;
      else if (kind === 'SecretList') this.secretList[top] = true;
      return;
    }
    // The Secret's level: the data object's parent, or the annotations' grandparent. No closure here: this runs for every string.
    let level = -1;
    if (top >= 1 && this.isObject[top - 1] && SECRET_FIELDS.includes(this.member[top] as string)) level = top - 1;
    else if (top >= 2 && this.member[top] === 'annotations' && this.member[top - 1] === 'metadata' && this.keyIs(LAST_APPLIED, this.keyStart, this.keyEnd, this.keyDecoded)) level = top - 2;
    if (level >= 0) (this.secretValues[level] ??= []).push({ start, end, location: this.path(KEY) });
  }

  /** A Secret's values, masked whole in place of whatever was masked inside them. */
  private maskSecretValues(values: SecretValue[], before: number) {
    // Both in order of where they lie (values as the walk read them): one pass drops the edits inside a value.
    const later = this.edits.splice(before).sort((a, b) => a.start - b.start);
    let v = 0;
    for (const edit of later) {
      while (v < values.length && values[v]!.end <= edit.start) v++;
      if (v < values.length && edit.start >= values[v]!.start && edit.end <= values[v]!.end) continue;
      this.edits.push(edit);
    }
    for (const { start, end, location } of values) {
      const value = JSON.parse(this.text.slice(start, end)) as string;
      this.findings.push(findingFor(KUBERNETES_SECRET_RULE, location, value));
      this.edits.push({ start, end, text: JSON.stringify(replacementText(KUBERNETES_SECRET_RULE, this.core.kubernetesSecret!, value)) });
    }
    this.unsorted = true;
  }

  /** Whether the key text[start, end) (quotes included; `decoded` when it has escapes) is `name`. */
  /** Whether the document's first key, just read (its value at `i`), makes it a Kubernetes object (as isApiObject in kubernetes-secrets.ts reads a parsed one). */
  private opensApiObject(i: number): boolean {
    const { keyStart, keyEnd, keyDecoded } = this;
    return (this.keyIs('apiVersion', keyStart, keyEnd, keyDecoded) || this.keyIs('kind', keyStart, keyEnd, keyDecoded)) && this.text.charCodeAt(skipWhitespace(this.text, i)) === 34;
  }

  private keyIs(name: string, start: number, end: number, decoded: string | undefined): boolean {
    return decoded !== undefined ? decoded === name : end - start - 2 === name.length && this.text.startsWith(name, start + 1);
  }

  /** Renames the key just read, text[start, end), when it is named as a masked key already in its object is. */
  private keepApart(start: number, end: number) {
    const name = this.keyName();
    if (!name.startsWith('[MASKED:')) return;
    const key = this.distinct(name);
    if (key === name) return;
    this.edits.push({ start, end, text: JSON.stringify(key) });
    this.renameKey(key, '', []);
  }

  /** A masked key of the innermost object, told apart from the keys masked before it there. */
  private distinct(masked: string): string {
    const top = this.maskedKeys.length - 1;
    const keys = (this.maskedKeys[top] ??= new Set());
    const key = distinctKey(masked, (k) => keys.has(k));
    keys.add(key);
    return key;
  }

  /** From now on the key just read is named by its masked text, also in its own findings (made under `from`). */
  private renameKey(masked: string, from: string, findings: readonly Finding[]) {
    this.keyMasked = masked;
    const to = this.path(KEY);
    for (const f of findings) f.location = reroot(f.location, from, to);
  }

  /** text[from, to) with the edits from index `first` on applied. */
  private edited(from: number, to: number, first: number): string {
    let out = '';
    let at = from;
    for (let e = first; e < this.edits.length; e++) {
      const edit = this.edits[e]!;
      out += this.text.slice(at, edit.start) + edit.text;
      at = edit.end;
    }
    return out + this.text.slice(at, to);
  }

  private numberToken(start: number, end: number, member: Member, sensitive: boolean) {
    let rule = sensitive ? SENSITIVE_KEY_RULE : undefined;
    let replacement = this.core.sensitiveReplacement;
    if (!rule) {
      const k = this.firstOverlapping(start);
      if (k === this.spans.length || this.spans[k]!.start >= end || isFloat(this.text, start, end)) return;
      rule = this.spans[k]!.rule;
      replacement = this.spans[k]!.replacement;
    }
    const value = this.text.slice(start, end);
    this.findings.push(findingFor(rule, this.path(member), value));
    this.edits.push({ start, end, text: JSON.stringify(replacementText(rule, replacement, value)) });
  }

  /** Index of the first span ending after `from`; spans before it can reach no later token. */
  private firstOverlapping(from: number): number {
    const { spans } = this;
    while (this.span < spans.length && spans[this.span]!.end <= from) this.span++;
    return this.span;
  }

  private maskSpansIn(from: number, to: number, member: Member) {
    const { spans } = this;
    for (let k = this.firstOverlapping(from); k < spans.length && spans[k]!.start < to; k++) {
      const span = spans[k]!;
      const a = Math.max(span.start, from);
      const b = Math.min(span.end, to);
      if (a >= b) continue;
      const offset = a - from;
      const path = this.path(member);
      this.edits.push({ start: a, end: b, text: redact(this.text.slice(a, b), [{ ...span, start: 0, end: b - a }], () => `${path}:${offset}`, this.findings) });
    }
  }
}

/**
 * Whether the number text[start, end) is written with a fraction or an exponent. A float is a
 * measurement, never a secret: it is left byte for byte, whatever its digits happen to match.
 */
export function isFloat(text: string, start = 0, end = text.length): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 || c === 101 || c === 69) return true;
  }
  return false;
}

/** End of the JSON number at `i`, or -1 when there is none. */
function numberEnd(text: string, i: number): number {
  if (text.charCodeAt(i) === 45) i++;
  const first = text.charCodeAt(i);
  if (!isDigit(first)) return -1;
  i++;
  if (first !== 48) while (isDigit(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) === 46 && isDigit(text.charCodeAt(i + 1))) {
    i += 2;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  const e = text.charCodeAt(i);
  if (e === 101 || e === 69) {
    const sign = text.charCodeAt(i + 1);
    const digits = sign === 43 || sign === 45 ? i + 2 : i + 1;
    if (isDigit(text.charCodeAt(digits))) {
      i = digits + 1;
      while (isDigit(text.charCodeAt(i))) i++;
    }
  }
  return i;
}
