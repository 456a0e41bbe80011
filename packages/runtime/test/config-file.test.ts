import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ValidationError } from '@books/core';
import { readBooksConfigFile } from '../src';

const example = readFileSync(path.resolve(__dirname, '../../../strategies/config.local.json'), 'utf8');

describe('readBooksConfigFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'books-config-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('parses a file once per content, and again once it is edited', () => {
    const file = path.join(dir, 'config.json');
    writeFileSync(file, example);
    const first = readBooksConfigFile(file);
    expect(readBooksConfigFile(file)).toBe(first);
    const edited = JSON.parse(example) as { minTradeNotional: string };
    edited.minTradeNotional = '7';
    writeFileSync(file, JSON.stringify(edited));
    const after = readBooksConfigFile(file);
    expect(after).not.toBe(first);
    expect(after.minTradeNotional.toString()).toBe('7');
  });

  it('reports a strategy file gone since the remembered parse', () => {
    const file = path.join(dir, 'config.json');
    writeFileSync(file, example);
    const present = new Set(readBooksConfigFile(file).strategies.map((s) => s.file));
    expect(readBooksConfigFile(file, (f) => present.has(f)).strategies.length).toBe(present.size);
    const gone = [...present][0] ?? '';
    present.delete(gone);
    expect(() => readBooksConfigFile(file, (f) => present.has(f))).toThrow(ValidationError);
    expect(() => readBooksConfigFile(file, (f) => present.has(f))).toThrow(gone);
  });

  it('throws a read or JSON error as it comes', () => {
    expect(() => readBooksConfigFile(path.join(dir, 'absent.json'))).toThrow(/ENOENT/);
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, '{ not json');
    expect(() => readBooksConfigFile(file)).toThrow(SyntaxError);
  });
});
