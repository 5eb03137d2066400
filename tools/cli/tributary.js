#!/usr/bin/env node
// The `tributary` bin: runs the TypeScript CLI from source through @swc-node/register (as `npm run
// sim` does), so a clone works after `npm ci` without a build. The tsconfig is named explicitly so
// the @tributary/* paths resolve from any working directory.
const path = require('node:path');

process.env.SWC_NODE_PROJECT ??= path.join(__dirname, '../../tsconfig.base.json');
require('@swc-node/register');
require('./main.ts');
