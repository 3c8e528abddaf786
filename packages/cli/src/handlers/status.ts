import { servicesStatus } from '@devkit/services';
import { loadProject } from '../context.js';
import type { CommandInput, CommandResult, HandlerIO } from '../spec.js';
import { formatUptime } from './services-common.js';

export async function run(input: CommandInput, io: HandlerIO): Promise<CommandResult> {
  const ctx = await loadProject(input, io);
  const services = await servicesStatus({ root: ctx.root, config: ctx.config });
  const ok = services.every((s) => s.healthy);
  return {
    exitCode: ok ? 0 : 1,
    data: { ok, services },
    human: (s) => {
      if (services.length === 0) return ['devkit.json declares no services'];
      const header = ['name', 'version', 'state', 'healthy', 'port', 'pid', 'uptime', 'url'];
      const rows = services.map((x) => [x.name, x.version ?? x.declared, x.state, x.healthy ? 'yes' : 'no', String(x.port ?? '-'), String(x.pid ?? '-'), formatUptime(x.uptimeMs), x.url ?? '-']);
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
      const lines = [s.bold(line(header)), ...rows.map((r, i) => (services[i]!.healthy ? line(r) : s.red(line(r))))];
      for (const x of services.filter((y) => !y.healthy)) lines.push(`${s.yellow('!')} ${x.name}: ${x.reason}`);
      if (!ok) lines.push(s.dim('fix: devkit up'));
      return lines;
    },
  };
}
