import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/scripts'],
  testMatch: ['**/test/**/*.test.ts'],
  // Type checking is done once by `tsc` in `pnpm test`; jest only transpiles.
  transform: {
    '^.+\\.[tj]sx?$': [
      'ts-jest',
      {
        tsconfig: {
          module: 'commonjs',
          moduleResolution: 'node10',
          allowJs: true,
          isolatedModules: true,
          esModuleInterop: true,
          target: 'ES2022',
        },
        diagnostics: false,
      },
    ],
  },
  // Middy is ESM-only: let ts-jest transform it to CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm/@middy\\+|@middy/))'],
  globalSetup: '<rootDir>/packages/local/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/packages/local/test/support/global-teardown.ts',
  testTimeout: 30_000,
};

export default config;
