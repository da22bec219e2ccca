// `defectkit <command> --help` is documentation too: every command ends its help with 2 to 4 real examples (each a
// valid command line of the real command tree) and an Environment section naming the variables it reads.
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../packages/cli/src/program.js';
import { cli } from './support/run-cli.js';
import { synopsisProblems } from './support/readme-runner.js';

type Command = ReturnType<typeof buildProgram>;

/** Every command path of the tree, the root included ([] is `defectkit` itself). */
function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return [prefix, ...command.commands.flatMap((c) => commandPaths(c, [...prefix, c.name()]))];
}

const paths = commandPaths(buildProgram());

describe('defectkit --help', () => {
  it('covers every command of the tree', () => {
    expect(paths.map((p) => p.join(' '))).toEqual(expect.arrayContaining(['', 'detect', 'convert', 'eval', 'registry log', 'snowflake-local', 'notebook emit']));
  });

  it.each(paths.map((p) => [p.join(' ') || '(root)', p] as const))('%s ends with 2-4 valid examples and its environment variables', async (_name, path) => {
    const { stdout, code } = await cli(...path, '--help');
    expect(code).toBe(0);
    const tail = stdout.slice(stdout.lastIndexOf('\nExamples:\n'));
    expect(tail.startsWith('\nExamples:\n'), `defectkit ${path.join(' ')} --help has no Examples section: add .addHelpText('after', helpFooter([examples], [environment])) from packages/cli/src/help-examples.ts`).toBe(true);
    const [examplesPart, environmentPart = ''] = tail.split('\nEnvironment:\n');
    const examples = examplesPart!.split('\n').filter((l) => l.startsWith('  $ ')).map((l) => l.slice(4));
    expect(examples.length).toBeGreaterThanOrEqual(2);
    expect(examples.length).toBeLessThanOrEqual(4);
    for (const example of examples) {
      expect(example).toContain(['defectkit', ...path].join(' '));
      expect(synopsisProblems(example, buildProgram())).toEqual([]);
    }
    expect(environmentPart.trim()).toMatch(/^([A-Z][A-Z0-9_<>, ]+ {2}\S.*|\(none read by this command\))$/m);
  });
});
