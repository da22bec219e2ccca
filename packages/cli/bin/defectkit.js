#!/usr/bin/env node
// A committed shim, so npm can link the `defectkit` bin before `npm run build` (run by `prepare`) creates dist/.
import { runCli } from '../dist/index.js';

process.exitCode = await runCli(process.argv);
