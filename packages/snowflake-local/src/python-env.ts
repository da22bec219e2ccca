import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { DefectKitError, type ErrorDetails } from '@defectkit/core';
import { defectkitCacheDir } from '@defectkit/core/node';

const run = promisify(execFile);

/** The packages a model handler imports; what a warehouse gets from Snowflake's Anaconda channel. */
export const HANDLER_PACKAGES = ['numpy', 'onnxruntime', 'pandas', 'pillow'] as const;

/** Where offline CPython 3.11 wheels are looked for when `DEFECTKIT_WHEELS` is not set. */
export const DEFAULT_WHEELS_DIR = '/opt/pypi/files';

/** python3.11 or the wheels for the handler's virtualenv are missing, or the virtualenv cannot be built. */
export class HandlerRuntimeError extends DefectKitError {
  constructor(message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super('HANDLER_RUNTIME_MISSING', message, details, options);
  }
}

/** Where the handler's Python comes from; every field has an environment variable and a default. */
export interface HandlerPythonOptions {
  /** The CPython 3.11 to build the virtualenv from (`DEFECTKIT_PYTHON311`, default `python3.11` on PATH). */
  python?: string;
  /** A folder of wheels for `pip install --no-index --find-links` (`DEFECTKIT_WHEELS`, default {@link DEFAULT_WHEELS_DIR}). */
  wheels?: string;
  /** The cache folder that keeps built virtualenvs (default `defectkitCacheDir()`: `DEFECTKIT_CACHE_DIR`, `$DEFECTKIT_HOME/cache` or `~/.cache/defectkit`). */
  cacheDir?: string;
}

function resolveOptions(options: HandlerPythonOptions): Required<HandlerPythonOptions> {
  return {
    python: options.python ?? process.env.DEFECTKIT_PYTHON311 ?? 'python3.11',
    wheels: options.wheels ?? process.env.DEFECTKIT_WHEELS ?? DEFAULT_WHEELS_DIR,
    cacheDir: options.cacheDir ?? defectkitCacheDir(),
  };
}

/** The wheel files of a folder that provide `name` (wheel names normalise `-` to `_`, any case). */
function wheelsFor(files: readonly string[], name: string): string[] {
  const prefix = `${name.replace(/-/g, '_').toLowerCase()}-`;
  return files.filter((file) => file.toLowerCase().startsWith(prefix) && file.endsWith('.whl'));
}

const building = new Map<string, Promise<string>>();

/**
 * The `python` of a virtualenv that runs model handlers: CPython 3.11 with numpy, onnxruntime, pandas and
 * Pillow installed offline from a wheel folder. Built once per (interpreter, wheel set) under the cache folder
 * and reused; concurrent builders (threads of one process or several processes) each build in a private
 * temporary folder and rename it into place, so a half-built environment is never used.
 *
 * @throws HandlerRuntimeError (`HANDLER_RUNTIME_MISSING`) naming the interpreter, wheel folder or package that is missing.
 */
export function handlerPython(options: HandlerPythonOptions = {}): Promise<string> {
  const resolved = resolveOptions(options);
  const key = JSON.stringify(resolved);
  let pending = building.get(key);
  if (!pending) {
    pending = buildEnv(resolved);
    building.set(key, pending);
    pending.catch(() => building.delete(key));
  }
  return pending;
}

async function buildEnv({ python, wheels, cacheDir }: Required<HandlerPythonOptions>): Promise<string> {
  let version: string;
  try {
    version = (await run(python, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'])).stdout.trim();
  } catch (cause) {
    throw new HandlerRuntimeError(`model handlers run under CPython 3.11: cannot run "${python}" (install python3.11 or set DEFECTKIT_PYTHON311)`, { python }, { cause });
  }
  if (!version.startsWith('3.11.')) {
    throw new HandlerRuntimeError(`model handlers run under CPython 3.11 (as Snowflake's warehouse runtime); "${python}" is ${version}`, { python, version });
  }
  const files = existsSync(wheels) ? readdirSync(wheels) : null;
  if (files === null) {
    throw new HandlerRuntimeError(`wheel folder ${wheels} does not exist: set DEFECTKIT_WHEELS to a folder with ${HANDLER_PACKAGES.join(', ')} wheels for CPython 3.11`, { wheels });
  }
  const missing = HANDLER_PACKAGES.filter((name) => wheelsFor(files, name).length === 0);
  if (missing.length > 0) {
    throw new HandlerRuntimeError(`wheel folder ${wheels} has no wheel for ${missing.join(', ')} (needed by the model handler)`, { wheels, missing });
  }
  // The wheel file names that can be chosen decide what gets installed: a new wheel set is a new environment.
  const chosen = HANDLER_PACKAGES.flatMap((name) => wheelsFor(files, name)).sort();
  const key = createHash('sha256').update(JSON.stringify({ version, wheels, chosen })).digest('hex').slice(0, 16);
  const root = join(cacheDir, 'handler-venv');
  const target = join(root, key);
  const pythonPath = join(target, 'bin', 'python');
  if (existsSync(join(target, 'ready.json'))) return pythonPath;
  await mkdir(root, { recursive: true });
  // One builder at a time (test files run in parallel): the others wait for its ready.json.
  const lock = join(root, `.${key}.lock`);
  for (;;) {
    if (existsSync(join(target, 'ready.json'))) return pythonPath;
    try {
      await mkdir(lock);
      break;
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code !== 'EEXIST') throw new HandlerRuntimeError(`cannot create ${lock}: ${(cause as Error).message}`, { file: lock }, { cause });
    }
    const since = await stat(lock).then((info) => Date.now() - info.mtimeMs, () => 0);
    if (since > STALE_LOCK_MS) await rm(lock, { recursive: true, force: true }); // its builder died
    else await sleep(500);
  }
  try {
    return await buildInto(python, wheels, version, chosen, root, key, target);
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** How long a build may hold the lock before others take it as abandoned. */
const STALE_LOCK_MS = 10 * 60_000;

async function buildInto(python: string, wheels: string, version: string, chosen: string[], root: string, key: string, target: string): Promise<string> {
  const pythonPath = join(target, 'bin', 'python');
  if (existsSync(join(target, 'ready.json'))) return pythonPath;
  const temporary = join(root, `.${key}-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await run(python, ['-m', 'venv', temporary]);
    await run(join(temporary, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-index', '--find-links', wheels, ...HANDLER_PACKAGES], {
      maxBuffer: 16 << 20,
    });
    await writeFile(join(temporary, 'ready.json'), `${JSON.stringify({ version, wheels, packages: chosen }, null, 2)}\n`);
  } catch (cause) {
    await rm(temporary, { recursive: true, force: true });
    const stderr = (cause as { stderr?: string }).stderr?.trim().split('\n').slice(-3).join(' ') ?? (cause as Error).message;
    throw new HandlerRuntimeError(`cannot build the model handler virtualenv from ${wheels}: ${stderr}`, { python, wheels }, { cause });
  }
  try {
    await rename(temporary, target);
  } catch (cause) {
    await rm(temporary, { recursive: true, force: true });
    // Another builder renamed its copy first: use that one.
    if (!existsSync(join(target, 'ready.json'))) {
      throw new HandlerRuntimeError(`cannot move the model handler virtualenv into ${target}: ${(cause as Error).message}`, { target }, { cause });
    }
  }
  return pythonPath;
}
