// Copies every released writer schema from the schemas module into dist/, so the agent runs from its folder alone.
// They are read at start, not generated into code: a new released version needs no change here.
import { cpSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const released = join(here, '..', '..', '..', 'schemas', 'src', 'main', 'resources', 'io', 'switchboard', 'schemas', 'released');
if (!existsSync(join(released, 'index.txt'))) {
  console.error(`No released schemas at ${released}: build from a Switchboard checkout`);
  process.exit(1);
}
cpSync(released, join(here, '..', 'dist', 'schemas', 'released'), { recursive: true });
