import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readCloudFormationYamlFile } from '../../src/stack/cloudformation-yaml';

describe('readCloudFormationYamlFile', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cfn-yaml-'));
    file = path.join(dir, 'serverless.yml');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads short-form intrinsics and gives each caller its own copy', () => {
    writeFileSync(file, 'service: books\nArn: !GetAtt Table.Arn\n');
    const first = readCloudFormationYamlFile(file) as Record<string, unknown>;
    expect(first).toEqual({ service: 'books', Arn: { 'Fn::GetAtt': ['Table', 'Arn'] } });
    first.service = 'changed';
    expect(readCloudFormationYamlFile(file)).toEqual({
      service: 'books',
      Arn: { 'Fn::GetAtt': ['Table', 'Arn'] },
    });
  });

  it('reads the file again once it changed', () => {
    writeFileSync(file, 'service: one\n');
    expect(readCloudFormationYamlFile(file)).toEqual({ service: 'one' });
    writeFileSync(file, 'service: two\n');
    // Same size: the modification time tells the change.
    utimesSync(file, new Date(), new Date(Date.now() + 5_000));
    expect(readCloudFormationYamlFile(file)).toEqual({ service: 'two' });
  });
});
