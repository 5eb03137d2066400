import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// The dependency arrows of DESIGN.md, as lint errors:
// apps -> libs; client -> protocol; raft -> log-engine (+ protocol for its message types);
// log-engine and protocol depend on no other lib; libs never import NestJS (except libs/platform,
// the adapters shared by the apps); no app imports an app.
export default tseslint.config(
  { ignores: ['**/node_modules', '**/dist', '**/tmp', '**/coverage', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:adapter'] },
            // libs/platform: the thin NestJS/Node adapters the apps share (config, RPC transport)
            { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:tools', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', bannedExternalImports: ['@nestjs/*', 'typeorm', 'express'] },
            { sourceTag: 'lib:log-engine', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'lib:protocol', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'lib:raft', onlyDependOnLibsWithTags: ['lib:log-engine', 'lib:protocol'] },
            { sourceTag: 'lib:client', onlyDependOnLibsWithTags: ['lib:protocol'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
