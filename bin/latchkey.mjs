#!/usr/bin/env node
// The compiled command line (dist/ is built by `npm run build`, which `npm install` runs in a clone).
await import('../dist/cli/main.js');
