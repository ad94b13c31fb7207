// The forms a secret literal may come back in besides its own. An upstream that echoes a request
// (httpbin's /headers, an error quoting the call) writes the credential the gateway sent as it
// was sent: in base64 inside Basic auth (user:secret, so at any byte offset), percent-encoded in a
// query, JSON-escaped, or in either case where it is hex. Each form is masked as the literal is.
import { MIN_SECRET_LITERAL } from './limits.js';

const HEX = /^[0-9a-fA-F]+$/;

/** `value` and its other forms, each at least MIN_SECRET_LITERAL long, without repeats. */
export function literalForms(value: string): string[] {
  const forms = new Set([value]);
  const add = (form: string) => form.length >= MIN_SECRET_LITERAL && forms.add(form);
  for (const form of base64Forms(Buffer.from(value, 'utf8'))) {
    add(form);
    add(form.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  add(encodeURIComponent(value));
  add(JSON.stringify(value).slice(1, -1));
  if (HEX.test(value)) {
    add(value.toLowerCase());
    add(value.toUpperCase());
  }
  return [...forms];
}

/**
 * The base64 of `bytes` at each of the three offsets it may start at within a longer encoded
 * text (user:secret), less the characters that the bytes before or after it share: what every
 * encoding of a text holding it holds.
 */
function base64Forms(bytes: Buffer): string[] {
  const forms: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64').replace(/=+$/, '');
    // Leading characters that hold bits of the bytes before: none, 2 or 3.
    const head = [0, 2, 3][offset]!;
    // The last group's characters that hold bits of the bytes after, when it is not whole.
    const rest = (offset + bytes.length) % 3;
    const tail = rest === 0 ? 0 : 1;
    forms.push(encoded.slice(head, encoded.length - tail));
  }
  return forms;
}
