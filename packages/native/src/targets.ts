import { closest, usageError } from '@devkit/core';
import type { DevkitConfig } from '@devkit/config';
import { compareVersions } from './versions.js';

/** The targets devkit knows out of the box; devkit.json may override their settings or add none. */
export const TARGET_NAMES = [
  'linux-x64-gnu',
  'linux-arm64-gnu',
  'linux-x64-musl',
  'linux-arm64-musl',
  'darwin-x64',
  'darwin-arm64',
] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** How a target's C++ code gets its runtime (recorded in each target's manifest). */
export type TargetCxxRuntime = 'libc++ (static)' | 'libstdc++' | 'libc++ (system)';

/** A resolved build target: where it builds, what floor its outputs must meet, and the compiler setup. */
export interface TargetSpec {
  name: string;
  platform: 'linux' | 'darwin';
  arch: 'x64' | 'arm64';
  libc: 'glibc' | 'musl' | undefined;
  builder: string;
  /** Highest glibc the outputs may need (Linux gnu). */
  glibc: string | undefined;
  /** Oldest macOS the outputs must load on (macOS). */
  macos: string | undefined;
  /** Highest x86-64 ISA level the outputs may need (1 = baseline). */
  isaLevel: number;
  /** The devkit.json key each floor comes from (for messages); absent for a built-in default. */
  floorKeys: { glibc?: string; macos?: string };
  /** zig's name for the target and floor (`x86_64-linux-gnu.2.28`), when it builds with zig. */
  zigTarget: string | undefined;
  /** How C++ code gets its runtime on this target's builder. */
  cxxRuntime: TargetCxxRuntime;
  /** Environment of the build command: compilers, flags, and DEVKIT_* facts about the target. */
  env: Record<string, string>;
}

/** The folder sources are copied to inside the builder; fixed so that paths in outputs never vary. */
export const CONTAINER_SOURCE_DIR = '/build/src';

/** The builder every default target builds on (docker/zig). */
export const ZIG_BUILDER = 'zig';

/** Node 20–24's own floor (RHEL 8, Debian 10): the default glibc of the gnu targets. */
export const DEFAULT_GLIBC = '2.28';
/** Node 22's floor, and the oldest macOS zig 0.11 has libc headers for. */
export const DEFAULT_MACOS = '11.0';
/** The lowest floors the zig builder meets: zig's oldest macOS headers; aarch64's first glibc. */
export const ZIG_MIN_FLOORS = { glibc: '2.17', macos: '11.0' } as const;

/** Where the bookworm builder keeps its stub SDK (libSystem.tbd: the symbols' names, no Apple code). */
const MACOS_SDK = '/opt/macos-sdk';

interface TargetDefault {
  platform: TargetSpec['platform'];
  arch: TargetSpec['arch'];
  libc: TargetSpec['libc'];
  /** zig's CPU-OS-ABI for the target; the floor is appended for gnu and macOS. */
  zig: string;
}

/** Built-in targets; `Record<TargetName, …>` makes a new target without defaults fail to compile. */
export const DEFAULT_TARGETS: Record<TargetName, TargetDefault> = {
  'linux-x64-gnu': { platform: 'linux', arch: 'x64', libc: 'glibc', zig: 'x86_64-linux-gnu' },
  'linux-arm64-gnu': { platform: 'linux', arch: 'arm64', libc: 'glibc', zig: 'aarch64-linux-gnu' },
  'linux-x64-musl': { platform: 'linux', arch: 'x64', libc: 'musl', zig: 'x86_64-linux-musl' },
  'linux-arm64-musl': { platform: 'linux', arch: 'arm64', libc: 'musl', zig: 'aarch64-linux-musl' },
  'darwin-x64': { platform: 'darwin', arch: 'x64', libc: undefined, zig: 'x86_64-macos' },
  'darwin-arm64': { platform: 'darwin', arch: 'arm64', libc: undefined, zig: 'aarch64-macos' },
};

const PREFIX_MAP = `-ffile-prefix-map=${CONTAINER_SOURCE_DIR}=.`;

/**
 * On the zig builder, cc/c++/ar/ranlib are docker/zig/bin's wrappers: they run `zig cc|c++ -target
 * $DEVKIT_ZIG_TARGET` with -O2 (and -O2 -s on links, so libc++ is built once per target).
 */
function zigCompilers(zigTarget: string): Record<string, string> {
  return {
    CC: 'cc',
    CXX: 'c++',
    AR: 'ar',
    RANLIB: 'ranlib',
    CFLAGS: PREFIX_MAP,
    CXXFLAGS: PREFIX_MAP,
    LDFLAGS: '',
    DEVKIT_ZIG_TARGET: zigTarget,
  };
}

/** A gcc builder (bullseye): the host gcc for x64, Debian's cross gcc for arm64. */
function gccCompilers(arch: TargetSpec['arch']): Record<string, string> {
  const prefix = arch === 'arm64' ? 'aarch64-linux-gnu-' : '';
  return {
    CC: `${prefix}gcc`,
    CXX: `${prefix}g++`,
    AR: `${prefix}ar`,
    CFLAGS: `-O2 ${PREFIX_MAP}`,
    CXXFLAGS: `-O2 ${PREFIX_MAP}`,
    LDFLAGS: '',
  };
}

/** The clang builder (bookworm) with its stub SDK: C without libc headers only. */
function clangDarwinCompilers(arch: TargetSpec['arch'], macos: string): Record<string, string> {
  const target = `--target=${arch === 'arm64' ? 'arm64' : 'x86_64'}-apple-macos${macos} -isysroot ${MACOS_SDK}`;
  return {
    CC: `clang ${target}`,
    CXX: `clang++ ${target}`,
    AR: 'llvm-ar',
    CFLAGS: `-O2 ${PREFIX_MAP}`,
    CXXFLAGS: `-O2 ${PREFIX_MAP}`,
    // ld64.lld writes LC_BUILD_VERSION and ad-hoc signs arm64 output; -undefined dynamic_lookup
    // leaves N-API symbols to the host process, as node-gyp does on macOS.
    LDFLAGS: `-fuse-ld=lld -Wl,-undefined,dynamic_lookup`,
  };
}

const ISA_LEVELS: Record<string, number> = { 'x86-64': 1, 'x86-64-v2': 2, 'x86-64-v3': 3, 'x86-64-v4': 4 };

function isTargetName(name: string): name is TargetName {
  return (TARGET_NAMES as readonly string[]).includes(name);
}

/** Every target the config can name: the built-in ones plus any it adds. */
export function knownTargetNames(config: DevkitConfig): string[] {
  return [...new Set([...TARGET_NAMES, ...Object.keys(config.native?.targets ?? {})])].sort();
}

function unknownTarget(name: string, config: DevkitConfig, why: string): never {
  const valid = knownTargetNames(config);
  const suggestion = closest(name, valid);
  throw usageError('E_NATIVE_UNKNOWN_TARGET', `${why}${suggestion ? `; did you mean ${suggestion}?` : ''}`, {
    hint: `use one of: ${valid.join(', ')} (or define it under native.targets in devkit.json)`,
    details: { target: name, valid, ...(suggestion ? { suggestion } : {}) },
  });
}

/** Exit 2: a floor the builder cannot give, naming the floor, where it is set and what the builder gives. */
function floorUnmet(target: TargetSpec, kind: 'glibc' | 'macos', gives: string, fix: string): never {
  const key = target.floorKeys[kind];
  const shown = kind === 'glibc' ? `glibc ${target.glibc}` : `macOS ${target.macos}`;
  throw usageError(
    'E_NATIVE_FLOOR_UNMET',
    `${target.name} asks for ${shown}${key ? ` (${key} in devkit.json)` : ''}, but builder ${target.builder} gives ${gives}`,
    {
      hint: key ? `set ${key} to ${fix}` : fix,
      details: { target: target.name, builder: target.builder, floor: kind, wanted: target[kind], gives },
    },
  );
}

/**
 * Resolves one target from its built-in defaults, devkit.json's `native.targets.<name>` and, for
 * a package, its own floors (`native.packages.<p>.glibc`, `.macos`, which win over the target's).
 * A target devkit has no defaults for must say its builder itself. A floor zig cannot meet
 * (glibc below 2.17, macOS below 11.0) is exit 2 here; the builder image's own limits are
 * checked by {@link applyImageFloor} once the image is known.
 */
export function resolveTarget(
  name: string,
  config: DevkitConfig,
  sourceDateEpoch: number,
  packageName?: string,
): TargetSpec {
  const override = config.native?.targets?.[name];
  const pkg = packageName === undefined ? undefined : config.native?.packages?.[packageName];
  const base = isTargetName(name) ? DEFAULT_TARGETS[name] : undefined;
  if (!base && !override) unknownTarget(name, config, `unknown native target "${name}"`);
  const match = /^(linux|darwin)-(x64|arm64)(?:-(gnu|musl))?$/.exec(name);
  if (!match) unknownTarget(name, config, `native target "${name}" is not <linux|darwin>-<x64|arm64>[-gnu|-musl]`);
  const platform = (base?.platform ?? match[1]) as TargetSpec['platform'];
  const arch = (base?.arch ?? match[2]) as TargetSpec['arch'];
  const libc = base ? base.libc : match[3] === 'musl' ? 'musl' : platform === 'linux' ? 'glibc' : undefined;
  const builder = override?.builder ?? (base ? ZIG_BUILDER : undefined);
  if (!builder)
    throw usageError('E_NATIVE_TARGET_INCOMPLETE', `native.targets.${name}.builder is missing in devkit.json`, {
      hint: 'name the builder that builds this target, e.g. "zig"',
    });
  const zig = builder === ZIG_BUILDER;
  const pkgKey = (k: string) => `native.packages["${packageName}"].${k}`;
  const floorKeys: TargetSpec['floorKeys'] = {};
  let glibc: string | undefined;
  if (libc === 'glibc') {
    if (pkg?.glibc !== undefined) [glibc, floorKeys.glibc] = [pkg.glibc, pkgKey('glibc')];
    else if (override?.glibc !== undefined) [glibc, floorKeys.glibc] = [override.glibc, `native.targets.${name}.glibc`];
    // A gcc builder's floor is its own glibc, filled in once its image is measured.
    else glibc = zig ? DEFAULT_GLIBC : undefined;
  }
  let macos: string | undefined;
  if (platform === 'darwin') {
    if (pkg?.macos !== undefined) [macos, floorKeys.macos] = [pkg.macos, pkgKey('macos')];
    else if (override?.macos !== undefined) [macos, floorKeys.macos] = [override.macos, `native.targets.${name}.macos`];
    else macos = DEFAULT_MACOS;
  }
  const isaName = override?.isa ?? 'x86-64';
  const isaLevel = ISA_LEVELS[isaName] ?? 1;
  const zigBase =
    base?.zig ??
    `${arch === 'arm64' ? 'aarch64' : 'x86_64'}-${platform === 'darwin' ? 'macos' : `linux-${libc === 'musl' ? 'musl' : 'gnu'}`}`;
  const zigTarget = !zig
    ? undefined
    : platform === 'darwin'
      ? `${zigBase}.${macos}`
      : libc === 'glibc'
        ? `${zigBase}.${glibc}`
        : zigBase;
  const compilers = zigTarget
    ? zigCompilers(zigTarget)
    : platform === 'darwin'
      ? clangDarwinCompilers(arch, macos ?? DEFAULT_MACOS)
      : gccCompilers(arch);
  const env: Record<string, string> = {
    ...compilers,
    ...override?.env,
    SOURCE_DATE_EPOCH: String(sourceDateEpoch),
    DEVKIT_TARGET: name,
    DEVKIT_PLATFORM: platform,
    DEVKIT_ARCH: arch,
    DEVKIT_LIBC: libc ?? '',
    DEVKIT_GLIBC: glibc ?? '',
    DEVKIT_MACOS: macos ?? '',
    npm_config_arch: arch,
    npm_config_target_arch: arch,
    npm_config_platform: platform,
  };
  const cxxRuntime: TargetCxxRuntime = zig
    ? 'libc++ (static)'
    : platform === 'darwin'
      ? 'libc++ (system)'
      : 'libstdc++';
  const target: TargetSpec = {
    name,
    platform,
    arch,
    libc,
    builder,
    glibc,
    macos,
    isaLevel,
    floorKeys,
    zigTarget,
    cxxRuntime,
    env,
  };
  if (zig) {
    if (glibc !== undefined && compareVersions(glibc, ZIG_MIN_FLOORS.glibc) < 0)
      floorUnmet(target, 'glibc', `glibc ${ZIG_MIN_FLOORS.glibc} and newer`, `"${ZIG_MIN_FLOORS.glibc}" or newer`);
    if (macos !== undefined && compareVersions(macos, ZIG_MIN_FLOORS.macos) < 0)
      floorUnmet(
        target,
        'macos',
        `macOS ${ZIG_MIN_FLOORS.macos} and newer (zig has no older macOS headers)`,
        `"${ZIG_MIN_FLOORS.macos}" or newer`,
      );
  }
  return target;
}

/** What a builder image says it can give (its ImageRecord's facts). */
export interface ImageFloors {
  /** The image's own glibc: what a gcc builder links against. */
  glibc?: string | undefined;
  /** A zig builder's range. */
  zig?: { glibc: { min: string; max: string }; macos: { min: string } } | undefined;
}

/**
 * Settles a target's floors against its builder image: a gcc builder gives its own glibc (the
 * floor when devkit.json sets none; a lower floor is exit 2), a zig builder any glibc in its range.
 */
export function applyImageFloor(target: TargetSpec, image: ImageFloors | undefined): void {
  if (!image) return;
  if (image.zig) {
    const { glibc } = image.zig;
    if (target.glibc !== undefined && compareVersions(target.glibc, glibc.max) > 0)
      floorUnmet(target, 'glibc', `glibc ${glibc.min}–${glibc.max}`, `"${glibc.max}" or lower`);
    return;
  }
  if (target.platform !== 'linux' || target.libc !== 'glibc' || image.glibc === undefined) return;
  if (target.glibc === undefined) {
    target.glibc = image.glibc;
    target.env.DEVKIT_GLIBC = image.glibc;
  } else if (compareVersions(target.glibc, image.glibc) < 0)
    floorUnmet(
      target,
      'glibc',
      `glibc ${image.glibc} (its own: what it links against)`,
      `"${image.glibc}" or newer, or build this target on the zig builder (glibc ${ZIG_MIN_FLOORS.glibc} and up)`,
    );
}

/** The targets one package builds for: its own list, else every target devkit knows. */
export function packageTargetNames(config: DevkitConfig, packageName: string): string[] {
  return config.native?.packages?.[packageName]?.targets ?? knownTargetNames(config);
}
