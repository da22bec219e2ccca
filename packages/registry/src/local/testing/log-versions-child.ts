// Child process for the lock test: logs `count` versions of one model into a shared registry folder.
import { LocalRegistry } from '../local-registry.js';

const [dir, source, name, count] = process.argv.slice(2);
const registry = new LocalRegistry({ dir: dir! });
const logged: string[] = [];
for (let i = 0; i < Number(count); i++) {
  const version = await registry.logModel(source!, { name: name!, comment: `pid ${process.pid} #${i}` });
  logged.push(version.name);
}
process.stdout.write(`${JSON.stringify(logged)}\n`);
