import { redact, type CommandTracer } from '@devkit/core';
import { formatDuration } from './render.js';
import type { Style } from './spec.js';

/** Variables whose values are credentials by their name: never shown, wherever they appear in a command line. */
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|CREDENTIAL|AUTH/i;

/** Whether `--verbose` is on through the environment: DEVKIT_DEBUG set to anything but empty, 0 or false. */
export function debugFromEnv(env: NodeJS.ProcessEnv): boolean {
  const value = env.DEVKIT_DEBUG?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

/**
 * The `--verbose` view of core's process runner: `$ cmd args (cwd)` when a command starts, and
 * its exit code (or signal) and duration when it ends, on stderr. Command lines come redacted
 * from core (URL credentials, the caller's secrets); values of the environment's credential
 * variables (…TOKEN, …SECRET, …PASSWORD) are redacted here too.
 */
export function createCommandTrace(write: (text: string) => void, style: Style, env: NodeJS.ProcessEnv): CommandTracer {
  const secrets = Object.entries(env)
    .filter(([name, value]) => SECRET_NAME.test(name) && value !== undefined && value.length >= 4)
    .map(([, value]) => value!);
  return ({ command, cwd }) => {
    const shown = redact(command, secrets);
    write(`${style.dim('$')} ${shown} ${style.dim(`(${cwd})`)}\n`);
    return (end) => {
      const how =
        end.error !== undefined
          ? style.red(end.error)
          : end.signal
            ? style.red(`killed by ${end.signal}`)
            : end.exitCode === 0
              ? 'exit 0'
              : style.red(`exit ${end.exitCode}`);
      write(
        `${style.dim('$')} ${shown} ${style.dim('→')} ${how} ${style.dim(`in ${formatDuration(end.durationMs)}`)}\n`,
      );
    };
  };
}
