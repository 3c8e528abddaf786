import { writeFileSync } from 'node:fs';
import { toJsonSchema } from '../src/schema.js';

writeFileSync(new URL('../schema.json', import.meta.url), `${JSON.stringify(toJsonSchema(), null, 2)}\n`);
