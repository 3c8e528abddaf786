import { toJsonSchema } from '@devkit/config/schema';
import type { CommandResult } from '../spec.js';

export async function run(): Promise<CommandResult> {
  const schema = toJsonSchema();
  return { exitCode: 0, data: schema, human: () => [JSON.stringify(schema, null, 2)] };
}
