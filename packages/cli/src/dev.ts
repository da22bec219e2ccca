// Runs the CLI straight from source (tsx resolves @defectkit/* to packages/*/src through tsconfig paths):
//   npx tsx packages/cli/src/dev.ts <command> ...
import { runCli } from './program.js';

process.exitCode = await runCli(process.argv);
