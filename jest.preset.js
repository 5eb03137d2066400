// Shared Jest setup for every project: SWC transform (fast, decorator metadata on for NestJS)
// and the @tributary/* path aliases of tsconfig.base.json.
const path = require('node:path');

const root = __dirname;
const aliases = {
  '^@tributary/log-engine$': path.join(root, 'libs/log-engine/src/index.ts'),
  '^@tributary/raft$': path.join(root, 'libs/raft/src/index.ts'),
  '^@tributary/protocol$': path.join(root, 'libs/protocol/src/index.ts'),
  '^@tributary/client$': path.join(root, 'libs/client/src/index.ts'),
  '^@tributary/platform$': path.join(root, 'libs/platform/src/index.ts'),
};

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.[tj]s$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: aliases,
  testMatch: ['<rootDir>/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
};
