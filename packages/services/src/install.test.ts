import { describe, expect, it } from 'vitest';
import { detectPackageManager, planInstall } from './install.js';
import { binaryCandidates, installHint } from './locate.js';

describe('planInstall', () => {
  it('names the packages of each manager, with sudo only when not root', () => {
    const missing = [
      { kind: 'postgres', declared: '15' },
      { kind: 'redis', declared: '7' },
      { kind: 'registry', declared: '2' },
    ] as const;
    expect(planInstall(missing, 'apt', true).command).toBe(
      'apt-get install -y --no-install-recommends postgresql-15 redis-server docker-registry',
    );
    expect(planInstall(missing, 'apt', false).command).toBe(
      'sudo apt-get install -y --no-install-recommends postgresql-15 redis-server docker-registry',
    );
    expect(planInstall(missing, 'brew', false).command).toBe('brew install postgresql@15 redis distribution');
    expect(planInstall(missing, 'dnf', false).command).toBe(
      'sudo dnf install -y postgresql-server redis docker-distribution',
    );
  });

  it("gives every manager's command when the machine's is unknown", () => {
    expect(installHint('memcached', '1.6', undefined, false)).toBe(
      'sudo apt-get install -y --no-install-recommends memcached   or   brew install memcached   or   sudo dnf install -y memcached',
    );
  });
});

describe('detectPackageManager', () => {
  it('reads /etc/os-release ids', () => {
    expect(detectPackageManager('linux', 'ID=debian\nVERSION_ID="12"\n')).toBe('apt');
    expect(detectPackageManager('linux', 'ID=pop\nID_LIKE="ubuntu debian"\n')).toBe('apt');
    expect(detectPackageManager('linux', 'ID="fedora"\n')).toBe('dnf');
    expect(detectPackageManager('linux', 'ID=alpine\n')).toBeUndefined();
    expect(detectPackageManager('darwin')).toBe('brew');
  });
});

describe('binaryCandidates', () => {
  it('searches PATH first, then the versioned folders of the declared major', () => {
    const candidates = binaryCandidates('postgres', '15', '/opt/bin:/usr/bin');
    expect(candidates.slice(0, 3)).toEqual([
      '/opt/bin/postgres',
      '/usr/bin/postgres',
      '/usr/lib/postgresql/15/bin/postgres',
    ]);
    expect(candidates).toContain('/opt/homebrew/opt/postgresql@15/bin/postgres');
    expect(binaryCandidates('registry', '2', '/x')).toEqual(
      expect.arrayContaining(['/x/docker-registry', '/x/registry']),
    );
  });
});
