import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Refusal } from '../../platform/problem.js';
import { resolveTarget } from '../target.js';
import { ruleText } from '../rule-text.js';
import { classifyHttp } from './classify.js';

describe('http classify', () => {
  const classify = (method: string, path: string, search: string, body: string | Uint8Array = '', contentType?: string) => {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    const headers = new Headers({ authorization: 'Bearer agent', 'api-key': 'k', 'x-trace': 't' });
    if (contentType) headers.set('content-type', contentType);
    return classifyHttp({
      method,
      target: resolveTarget('https://api.example/v2', path, search),
      headers,
      body: { bytes, length: bytes.byteLength },
    });
  };
  const refusedAs = (type: string) => (error: unknown) => error instanceof Refusal && error.type === type;

  it('names the operation METHOD /path and keeps the query for rules and the log', () => {
    const op = classify('GET', 'items/1', '?expand=true');
    assert.deepEqual([op.method, op.path, op.query, op.actions, op.summary], ['GET', '/items/1', 'expand=true', ['GET /items/1'], 'GET /items/1?expand=true']);
  });

  it('gives rules the whole body, never a prefix', () => {
    const op = classify('POST', 'run', '', `${' '.repeat(2 * 1024 * 1024)}printenv`);
    assert.ok(op.text.endsWith('printenv'));
  });

  it('leaves credentials out of the headers rules and the log see', () => {
    const op = classify('GET', 'x', '');
    assert.deepEqual(op.headers, { 'x-trace': 't' });
  });

  it('gives rules a JSON body as sent and decoded: escapes hide nothing', () => {
    const raw = '{"cmd":"\\u0070rintenv","\\u0061rgs":["-0"]}';
    const op = classify('POST', 'run', '', raw, 'application/json');
    // The body as sent is the text recorded (masked as a body is); what decoding adds is for rules
    // alone (Operation.matchText), a key with its text (`cmd: …`) so that masking the text never
    // has to tell a value from prose: joined by a space, then with nothing.
    assert.equal(op.text, raw);
    assert.equal(op.matchText, 'cmd: printenv args -0\ncmd: printenvargs-0');
    assert.match(ruleText(op), /^\{"cmd".*\ncmd: printenv args -0\n/);
    // Not declared JSON, but a server that parses whatever it gets would read it so.
    assert.match(ruleText(classify('POST', 'run', '', '{"cmd":"\\u0070rintenv"}', 'text/plain')), /printenv/);
    // Nothing decoded differs: the text is the body alone.
    const plain = classify('POST', 'run', '', 'plain', 'text/plain');
    assert.deepEqual([plain.text, plain.matchText], ['plain', undefined]);
  });

  it('gives rules a form body as sent and decoded', () => {
    const op = classify('POST', 'run', '', 'cmd=print%65nv&x=a+b', 'application/x-www-form-urlencoded');
    assert.equal(op.text, 'cmd=print%65nv&x=a+b');
    assert.equal(op.matchText, 'cmd=printenv x=a b\ncmd=printenvx=a b');
  });

  it('refuses a body declared JSON or a form that does not decode as one', () => {
    assert.throws(() => classify('POST', 'run', '', '{"cmd":', 'application/json'), refusedAs('invalid-body'));
    assert.throws(() => classify('POST', 'run', '', new Uint8Array([0x7b, 0x7d, 0xff]), 'application/vnd.api+json'), refusedAs('invalid-body'));
    assert.throws(() => classify('POST', 'run', '', new Uint8Array([0x61, 0x3d, 0xc0]), 'application/x-www-form-urlencoded'), refusedAs('invalid-body'));
  });

  it('refuses a _method override in the query, however it is encoded or spelled', () => {
    for (const search of ['?_method=DELETE', '?_%6Dethod=DELETE', '?%5Fmethod=DELETE', '?a=1&_METHOD=delete', '?_method[]=DELETE', '?.method=DELETE', '?%5Bmethod=DELETE']) {
      assert.throws(() => classify('POST', 'repos/a/b', search), refusedAs('method-override'), search);
    }
    assert.equal(classify('POST', 'repos/a/b', '?my_method=x&method=DELETE&%20method=x').query, 'my_method=x&method=DELETE&%20method=x');
  });

  it('refuses a _method override in a form or at the top of a JSON body', () => {
    assert.throws(() => classify('POST', 'r', '', 'a=1&_method=DELETE', 'application/x-www-form-urlencoded'), refusedAs('method-override'));
    assert.throws(() => classify('POST', 'r', '', '%5Fmethod=DELETE', 'application/x-www-form-urlencoded'), refusedAs('method-override'));
    assert.throws(() => classify('POST', 'r', '', '{"_method":"DELETE"}', 'application/json'), refusedAs('method-override'));
    assert.throws(() => classify('POST', 'r', '', '{"\\u005fmethod":"DELETE"}', 'application/json'), refusedAs('method-override'));
    assert.doesNotThrow(() => classify('POST', 'r', '', '{"a":{"_method":"DELETE"}}', 'application/json'));
  });
});
