// Under a sensitive key, an object may describe a value rather than hold one: a JSON Schema (a
// tool's input schema in tools/list, a function's parameters in a model request), an ARM
// template's parameter (`"adminPassword": {"type": "securestring"}`, as az deployment shows it)
// or an OpenAPI security scheme (`"api_key": {"type": "apiKey", "in": "header"}`).
// Masking its `type` or `minLength` breaks the schema, which a client or a model then rejects.
// Such a declaration keeps its words; what it holds as a value (a default, examples, the
// allowed values) is masked as the key says. An object is one only when every member is a
// schema's or a template's word: one member of any other name, and it is a value, masked whole.

/** Members of a declaration that hold values of the declared thing. */
const VALUE_MEMBERS = new Set(['default', 'defaultValue', 'const', 'enum', 'examples', 'example', 'allowedValues', 'value']);

/** JSON Schema's (and OpenAPI's) words, and an ARM parameter's. */
const WORDS = new Set([
  ...VALUE_MEMBERS,
  'type', 'title', 'description', 'format', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'exclusiveMinimum',
  'exclusiveMaximum', 'multipleOf', 'items', 'properties', 'required', 'additionalProperties', 'patternProperties', 'minItems',
  'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'nullable', 'readOnly', 'writeOnly', 'deprecated', 'contentEncoding',
  'contentMediaType', 'anyOf', 'oneOf', 'allOf', 'not', '$ref', '$schema', '$id', '$comment', 'metadata',
  // An OpenAPI (and Swagger 2) security scheme's.
  'in', 'name', 'scheme', 'bearerFormat', 'flows', 'flow', 'openIdConnectUrl', 'authorizationUrl', 'tokenUrl', 'refreshUrl', 'scopes',
]);

/** Type names of JSON Schema, of ARM templates (which writes them in any case) and of OpenAPI's security schemes. */
const TYPE_NAME = /^(?:string|number|integer|boolean|object|array|null|securestring|secureobject|int|bool|apikey|http|oauth2|openidconnect|mutualtls|basic)$/i;

/** Whether a member of a declaration holds a value of the declared thing (masked under a sensitive key). */
export const declaresValue = (key: string): boolean => VALUE_MEMBERS.has(key);

/** Whether a parsed object is a declaration: a type name as its `type`, and only a schema's or a template's words. */
export function isDeclaration(value: Record<string, unknown>): boolean {
  const type = value.type;
  const typed = typeof type === 'string' ? TYPE_NAME.test(type) : Array.isArray(type) && type.length > 0 && type.every((t) => typeof t === 'string' && TYPE_NAME.test(t));
  return typed && Object.keys(value).every((key) => WORDS.has(key));
}

/** Farthest a declaration is read ahead over JSON text (characters): past it, an object is taken for a value. */
export const READ_AHEAD = 8192;

/**
 * Whether the object that opens at `open` in JSON text is a declaration (isDeclaration), read
 * ahead at its own level, no further than `limit`: keys and the `type`'s value are compared as
 * written, so one written with escapes is not read as a declaration's. Stops at the first
 * member of another name. `read` is where the reading stopped.
 */
export function declarationAt(text: string, open: number, limit: number): { declared: boolean; read: number } {
  const declared = readDeclaration(text, open, Math.min(text.length, limit));
  return { declared: declared > 0, read: Math.abs(declared) };
}

/** Where reading the object at `open` stopped: positive when it is a declaration, negative when not. */
function readDeclaration(text: string, open: number, limit: number): number {
  let depth = 0;
  let typed = false;
  /** At the object's own level: a key is next (after `{` or `,`), or its value (after `:`). */
  let expectKey = true;
  let key = '';
  for (let i = open + 1; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      const end = stringEnd(text, i, limit);
      if (end < 0) return -limit;
      if (depth === 0) {
        const word = text.slice(i + 1, end - 1);
        if (expectKey) {
          if (!WORDS.has(word)) return -end;
          key = word;
        } else if (key === 'type') typed = TYPE_NAME.test(word);
      } else if (depth === 1 && key === 'type' && !TYPE_NAME.test(text.slice(i + 1, end - 1))) return -end;
      i = end - 1;
    } else if (c === 123 || c === 91) {
      // `type` as an array of names is read at depth 1; any other container under `type` is no type.
      if (depth === 0 && key === 'type') typed = c === 91;
      depth++;
    } else if (c === 125 || c === 93) {
      if (depth === 0) return typed ? i + 1 : -(i + 1);
      depth--;
    } else if (depth === 0 && c === 58) expectKey = false;
    else if (depth === 0 && c === 44) expectKey = true;
  }
  return -limit;
}

/** The offset after the JSON string that opens at `i`, or -1 if it does not end before `limit`. */
function stringEnd(text: string, i: number, limit: number): number {
  for (let j = i + 1; j < limit; j++) {
    const c = text.charCodeAt(j);
    if (c === 92) j++;
    else if (c === 34) return j + 1;
  }
  return -1;
}
