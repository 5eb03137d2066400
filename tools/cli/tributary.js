#!/usr/bin/env node
// The `tributary` bin: runs the TypeScript CLI from source through tools/scripts/register.js (swc,
// as the app processes run), so a clone works after `npm ci` without a build.
require('../scripts/register.js');
require('./main.ts');
