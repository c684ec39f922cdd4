#!/usr/bin/env node
import { main } from '../dist/cli.mjs';

// `create-pio-docker update --dry-run | head`: a reader that stops early is not an error.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

process.exitCode = await main(process.argv.slice(2));
