// `@devkit/config/schema`: the zod schema, validation and JSON Schema export (loads zod).
export { DevkitConfigSchema, toJsonSchema } from './schema.js';
export { parseConfig } from './validate.js';
