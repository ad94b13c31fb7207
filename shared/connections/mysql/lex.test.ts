import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serverReading } from './lex.js';

const text = (sql: string) => {
  const reading = serverReading(sql);
  assert.ok('text' in reading, `${sql}: ${JSON.stringify(reading)}`);
  return reading.text;
};
const refused = (sql: string) => 'refused' in serverReading(sql);

describe('mysql serverReading', () => {
  it('blanks comments where the server ends them: -- and # at \\n only, /* */ at the first */', () => {
    assert.equal(text('SELECT 1 -- x\nFROM t'), 'SELECT 1  \nFROM t');
    assert.equal(text('SELECT 1 --\tx'), 'SELECT 1  ');
    assert.equal(text('SELECT 1 --'), 'SELECT 1  ');
    assert.equal(text('SELECT 1 --\x01, email FROM customers'), 'SELECT 1  ');
    // The grammar ends these at \r: the server reads `FROM customers` as comment.
    assert.equal(text('SELECT 1 -- x\rFROM customers'), 'SELECT 1  ');
    assert.equal(text('SELECT 1 # x\rFROM customers'), 'SELECT 1  ');
    assert.equal(text('SELECT 1 /* a /* b */ FROM t'), 'SELECT 1   FROM t');
  });

  it('keeps strings and quoted identifiers as the server lexes them, comment marks inside them included', () => {
    for (const sql of ["SELECT '-- x', \"# y\", `/* z` FROM t", "SELECT 'a\\'-- b' FROM t", "SELECT 'a''#b', \"c\"\"--d\" FROM t", 'SELECT `a``--b` FROM t']) {
      assert.equal(text(sql), sql);
    }
    // A backslash escapes the quote: the comment after the string is a comment.
    assert.equal(text("SELECT 'a\\\\' -- '\n, email FROM customers"), "SELECT 'a\\\\'  \n, email FROM customers");
    // In a backtick identifier a backslash is a character.
    assert.equal(text('SELECT `a\\` -- `\nFROM t'), 'SELECT `a\\`  \nFROM t');
  });

  it('refuses what the server and the grammar could read differently', () => {
    for (const sql of [
      'SELECT 1 --1, name FROM customers',
      'DELETE FROM orders WHERE id = 1 --1 OR 1=1',
      'SELECT 1---1',
      'SELECT 1 --\u00a0x',
      'SELECT 1 /*! , email FROM customers */',
      'SELECT 1 /*M!100000 , email */',
      'SELECT /*+ SET_VAR(max_execution_time=0) */ 1',
      'SELECT 1 /* unterminated',
      "SELECT 'unterminated",
      "SELECT 'a\\' FROM t",
      'SELECT `unterminated',
      'SELECT 1\0, email FROM customers',
    ]) {
      assert.ok(refused(sql), sql);
    }
    // Inside a string these are only characters.
    assert.ok(!refused("SELECT '--1 /*! */' FROM t"));
  });
});
