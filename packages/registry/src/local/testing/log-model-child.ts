// Child process for the staging tests: logs argv[3] into the local registry at argv[2] as model argv[4].
import { LocalRegistry } from '../local-registry.js';

const [dir, source, name] = process.argv.slice(2);
const version = await new LocalRegistry({ dir: dir!, lockTimeoutMs: 600_000 }).logModel(source!, { name: name! });
process.stdout.write(`${version.name}\n`);
