import { configuredTargets, findLeftovers, servicesStatus } from '@devkit/services';
import { loadProject } from '../context.js';
import type { CommandInput, NoInput, CommandResult, HandlerIO } from '../spec.js';
import { formatUptime } from './services-common.js';

export async function run(input: CommandInput<NoInput>, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  const services = await servicesStatus({ root: ctx.root, config: ctx.config });
  const ok = services.every((s) => s.healthy);
  const leftovers = findLeftovers(ctx.root, configuredTargets(ctx.root, ctx.config)).map((l) => ({
    name: l.dirName,
    state: l.state,
    pid: l.pid,
    port: l.port,
  }));
  return {
    exitCode: ok ? 0 : 1,
    data: { ok, services, undeclared: leftovers },
    human: (s) => {
      if (services.length === 0 && leftovers.length === 0) return ['devkit.json declares no services'];
      const header = ['name', 'version', 'state', 'healthy', 'port', 'pid', 'uptime', 'url'];
      const rows = services.map((x) => [
        x.name,
        x.version ?? x.declared,
        x.state,
        x.healthy ? 'yes' : 'no',
        String(x.port ?? '-'),
        String(x.pid ?? '-'),
        formatUptime(x.uptimeMs),
        x.url ?? '-',
      ]);
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      const line = (cells: string[]) =>
        cells
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd();
      const lines = [s.bold(line(header)), ...rows.map((r, i) => (services[i]!.healthy ? line(r) : s.red(line(r))))];
      for (const x of services.filter((y) => !y.healthy)) lines.push(`${s.yellow('!')} ${x.name}: ${x.reason}`);
      for (const l of leftovers)
        lines.push(
          `${s.yellow('!')} ${l.name} is ${l.state} (pid ${l.pid ?? '?'}, port ${l.port ?? '?'}) but devkit.json no longer declares it: \`devkit down\` stops it`,
        );
      if (!ok) lines.push(s.dim('fix: devkit up'));
      return lines;
    },
  };
}
