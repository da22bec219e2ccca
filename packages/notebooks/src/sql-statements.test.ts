import { describe, expect, it } from 'vitest';
import { splitSqlStatements } from './sql-statements.js';

describe('splitSqlStatements', () => {
  it('splits on semicolons outside strings, identifiers, $$ blocks and comments, keeping first lines', () => {
    const sql = "-- head; comment\nCREATE ROLE R;\nSELECT 'a;b', \"x;y\"\n  FROM T; /* c; */ CREATE FUNCTION F() AS $$ 1; $$;\nSELECT 'it''s';";
    expect(splitSqlStatements(sql)).toEqual([
      { text: 'CREATE ROLE R', line: 2 },
      { text: 'SELECT \'a;b\', "x;y"\n  FROM T', line: 3 },
      { text: 'CREATE FUNCTION F() AS $$ 1; $$', line: 4 },
      { text: "SELECT 'it''s'", line: 5 },
    ]);
  });

  it('names the line of an unterminated string or comment', () => {
    expect(() => splitSqlStatements("SELECT 1;\nSELECT 'x;\n", 'a.sql')).toThrowError(/a\.sql:2: unterminated string/);
    expect(() => splitSqlStatements('SELECT 1; /* open', 'b.sql')).toThrowError(/b\.sql:1: unterminated \/\* comment/);
  });
});
