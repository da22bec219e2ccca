import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The shared folder beside the checkout (reference docs, golden vectors, data); `DEFECTKIT_SHARED_DIR` overrides. */
export const sharedDir = resolve(process.env.DEFECTKIT_SHARED_DIR ?? resolve(repoRoot, '..', 'shared'));
/** Golden reference vectors computed by the reference implementations. */
export const goldenDir = resolve(sharedDir, 'golden');
/** DeepPCB trainval in its upstream layout; `DEEPPCB_DIR` overrides. */
export const deeppcbDir = resolve(process.env.DEEPPCB_DIR ?? resolve(sharedDir, 'data', 'deeppcb'));
/** Debian's Python with torch, torchvision, onnx and numpy (the pyenv python3 on PATH has none of them). */
export const systemPython = process.env.DEFECTKIT_PYTHON ?? '/usr/bin/python3';

/** True when the DeepPCB data is present (tests that need it fail loudly in CI rather than skip: CI has it). */
export const hasDeepPcb = existsSync(resolve(deeppcbDir, 'PCBData', 'trainval.txt'));
