#!/usr/bin/env node
// Runs the TypeScript sources directly (types are stripped at load time): no build step after install.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
