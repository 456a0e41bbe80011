import { javaExecutable } from '../../src/stack/paths';

describe('finding Java for DynamoDB Local', () => {
  it('prefers JAVA_HOME, then PATH', () => {
    expect(javaExecutable({ PATH: '/usr/bin:/bin' })).toMatch(/\/java$/);
  });

  it('explains how to install Java when there is none', () => {
    expect(() => javaExecutable({ PATH: '/nonexistent' })).toThrow(/Java 17 is required.*scripts\/setup\.sh/);
  });
});
