export { main } from './main.js';
export { parseArgv, formatHelp } from './parse.js';
export { COMMANDS } from './command-tree.js';
export { GLOBAL_FLAGS } from './commands.js';
export type {
  CommandSpec,
  FlagSpec,
  ArgSpec,
  InputSpec,
  NoInput,
  FlagsOf,
  ArgsOf,
  FlagValue,
  ParsedValue,
  CommandInput,
  CommandResult,
  HandlerModule,
} from './spec.js';
