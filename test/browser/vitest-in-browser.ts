/// <reference lib="dom" />
import * as chai from 'chai';
import { JestAsymmetricMatchers, JestChaiExpect, JestExtend } from '@vitest/expect';

// What the shared conformance suites import from 'vitest', for a page in Chromium: vitest's own matchers
// (@vitest/expect on chai) and a small sequential collector for describe / it / beforeAll / afterAll. The Node
// side of the browser test reads the outcomes from `window.__conformance` and turns each into a vitest test.

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

/** vitest's `expect`, as the suites call it: `expect(value, message?)`. */
export const expect = ((value: unknown, message?: string) => chai.expect(value, message)) as unknown as typeof import('vitest').expect;

type Hook = () => unknown | Promise<unknown>;

interface Suite {
  name: string;
  beforeAll: Hook[];
  afterAll: Hook[];
  children: (Suite | Test)[];
}

interface Test {
  name: string;
  fn: Hook;
}

/** One test's outcome, as the Node side reports it. */
export interface BrowserTestOutcome {
  name: string;
  state: 'passed' | 'failed';
  error?: string;
  ms: number;
}

const root: Suite = { name: '', beforeAll: [], afterAll: [], children: [] };
let current = root;

/** Registers a suite; its body runs now, registering tests and hooks. */
export function describe(name: string, body: () => void): void {
  const suite: Suite = { name, beforeAll: [], afterAll: [], children: [] };
  current.children.push(suite);
  const parent = current;
  current = suite;
  try {
    body();
  } finally {
    current = parent;
  }
}

/** Registers a test in the current suite. */
export function it(name: string, fn: Hook): void {
  current.children.push({ name, fn });
}
export const test = it;

/** Runs before the first test of the current suite. */
export function beforeAll(fn: Hook): void {
  current.beforeAll.push(fn);
}

/** Runs after the last test of the current suite. */
export function afterAll(fn: Hook): void {
  current.afterAll.push(fn);
}

function message(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

async function runSuite(suite: Suite, prefix: string, out: BrowserTestOutcome[]): Promise<void> {
  const path = suite.name ? `${prefix}${suite.name} > ` : prefix;
  let setupError: string | undefined;
  for (const hook of suite.beforeAll) {
    try {
      await hook();
    } catch (error) {
      setupError = `beforeAll failed: ${message(error)}`;
      break;
    }
  }
  for (const child of suite.children) {
    if ('fn' in child) {
      const start = performance.now();
      if (setupError) {
        out.push({ name: `${path}${child.name}`, state: 'failed', error: setupError, ms: 0 });
        continue;
      }
      try {
        await child.fn();
        out.push({ name: `${path}${child.name}`, state: 'passed', ms: performance.now() - start });
      } catch (error) {
        out.push({ name: `${path}${child.name}`, state: 'failed', error: message(error), ms: performance.now() - start });
      }
    } else await runSuite(child, path, out);
  }
  for (const hook of suite.afterAll) {
    try {
      await hook();
    } catch (error) {
      out.push({ name: `${path}afterAll`, state: 'failed', error: message(error), ms: 0 });
    }
  }
}

/** Runs every registered suite in order and returns one outcome per test. */
export async function runRegistered(): Promise<BrowserTestOutcome[]> {
  const out: BrowserTestOutcome[] = [];
  await runSuite(root, '', out);
  return out;
}
