#!/usr/bin/env node
// The `portcullis` command. The CLI runs from its TypeScript source through tsx; the Functions
// app itself is compiled (`npm run build`) and never needs tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
