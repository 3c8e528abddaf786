import { usageError } from '@devkit/core';
import type { DevkitConfig } from '@devkit/config';

/** The targets devkit knows out of the box; devkit.json may override their settings or add none. */
export const TARGET_NAMES = ['linux-x64-gnu', 'linux-arm64-gnu', 'darwin-x64', 'darwin-arm64'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** A resolved build target: where it builds, what floor its outputs must meet, and the compiler setup. */
export interface TargetSpec {
  name: string;
  platform: 'linux' | 'darwin';
  arch: 'x64' | 'arm64';
  libc: 'glibc' | 'musl' | undefined;
  builder: string;
  /** Highest glibc the outputs may need (Linux). */
  glibc: string | undefined;
  /** Oldest macOS the outputs must load on (macOS). */
  macos: string | undefined;
  /** Highest x86-64 ISA level the outputs may need (1 = baseline). */
  isaLevel: number;
  /** Environment of the build command: compilers, flags, and DEVKIT_* facts about the target. */
  env: Record<string, string>;
}

/** The folder sources are copied to inside the builder; fixed so that paths in outputs never vary. */
export const CONTAINER_SOURCE_DIR = '/build/src';

/** Where the macOS builders keep their stub SDK (libSystem.tbd: the symbols' names, no Apple code). */
const MACOS_SDK = '/opt/macos-sdk';

interface TargetDefault {
  platform: TargetSpec['platform'];
  arch: TargetSpec['arch'];
  libc: TargetSpec['libc'];
  builder: string;
  glibc?: string;
  macos?: string;
  compilers: (floor: string) => Record<string, string>;
}

const PREFIX_MAP = `-ffile-prefix-map=${CONTAINER_SOURCE_DIR}=.`;

function darwinCompilers(triple: string): (floor: string) => Record<string, string> {
  return (floor) => {
    const target = `--target=${triple}${floor} -isysroot ${MACOS_SDK}`;
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
  };
}

/** Built-in target settings; `Record<TargetName, …>` makes a new target without defaults fail to compile. */
export const DEFAULT_TARGETS: Record<TargetName, TargetDefault> = {
  'linux-x64-gnu': {
    platform: 'linux',
    arch: 'x64',
    libc: 'glibc',
    builder: 'bullseye',
    glibc: '2.31',
    compilers: () => ({
      CC: 'gcc',
      CXX: 'g++',
      AR: 'ar',
      CFLAGS: `-O2 ${PREFIX_MAP}`,
      CXXFLAGS: `-O2 ${PREFIX_MAP}`,
      LDFLAGS: '',
    }),
  },
  'linux-arm64-gnu': {
    platform: 'linux',
    arch: 'arm64',
    libc: 'glibc',
    builder: 'bullseye',
    glibc: '2.31',
    compilers: () => ({
      CC: 'aarch64-linux-gnu-gcc',
      CXX: 'aarch64-linux-gnu-g++',
      AR: 'aarch64-linux-gnu-ar',
      CFLAGS: `-O2 ${PREFIX_MAP}`,
      CXXFLAGS: `-O2 ${PREFIX_MAP}`,
      LDFLAGS: '',
    }),
  },
  'darwin-x64': {
    platform: 'darwin',
    arch: 'x64',
    libc: undefined,
    builder: 'bookworm',
    macos: '10.15',
    compilers: darwinCompilers('x86_64-apple-macos'),
  },
  'darwin-arm64': {
    platform: 'darwin',
    arch: 'arm64',
    libc: undefined,
    builder: 'bookworm',
    macos: '11.0',
    compilers: darwinCompilers('arm64-apple-macos'),
  },
};

const ISA_LEVELS: Record<string, number> = { 'x86-64': 1, 'x86-64-v2': 2, 'x86-64-v3': 3, 'x86-64-v4': 4 };

function isTargetName(name: string): name is TargetName {
  return (TARGET_NAMES as readonly string[]).includes(name);
}

/** Every target the config can name: the built-in ones plus any it adds. */
export function knownTargetNames(config: DevkitConfig): string[] {
  return [...new Set([...TARGET_NAMES, ...Object.keys(config.native?.targets ?? {})])].sort();
}

/**
 * Resolves one target from its built-in defaults and devkit.json's `native.targets.<name>`.
 * A target devkit has no defaults for must say its builder and floor itself.
 */
export function resolveTarget(name: string, config: DevkitConfig, sourceDateEpoch: number): TargetSpec {
  const override = config.native?.targets?.[name];
  const base = isTargetName(name) ? DEFAULT_TARGETS[name] : undefined;
  if (!base && !override) {
    throw usageError('E_NATIVE_UNKNOWN_TARGET', `unknown native target "${name}"`, {
      hint: `use one of: ${knownTargetNames(config).join(', ')} (or define it under native.targets in devkit.json)`,
      details: { target: name, valid: knownTargetNames(config) },
    });
  }
  const match = /^(linux|darwin)-(x64|arm64)(?:-(gnu|musl))?$/.exec(name);
  if (!match) {
    throw usageError(
      'E_NATIVE_UNKNOWN_TARGET',
      `native target "${name}" is not <linux|darwin>-<x64|arm64>[-gnu|-musl]`,
      {
        hint: `use one of: ${knownTargetNames(config).join(', ')}`,
      },
    );
  }
  const platform = (base?.platform ?? match[1]) as TargetSpec['platform'];
  const arch = (base?.arch ?? match[2]) as TargetSpec['arch'];
  const libc = base ? base.libc : match[3] === 'musl' ? 'musl' : platform === 'linux' ? 'glibc' : undefined;
  const glibc = override?.glibc ?? base?.glibc;
  const macos = override?.macos ?? base?.macos;
  const builder = override?.builder ?? base?.builder;
  if (!builder)
    throw usageError('E_NATIVE_TARGET_INCOMPLETE', `native.targets.${name}.builder is missing in devkit.json`, {
      hint: 'name the builder that builds this target, e.g. "bullseye"',
    });
  const isaName = override?.isa ?? 'x86-64';
  const isaLevel = ISA_LEVELS[isaName] ?? 1;
  const compilers = base?.compilers(platform === 'darwin' ? (macos ?? '11.0') : (glibc ?? '')) ?? {};
  const env: Record<string, string> = {
    ...compilers,
    ...override?.env,
    SOURCE_DATE_EPOCH: String(sourceDateEpoch),
    DEVKIT_TARGET: name,
    DEVKIT_PLATFORM: platform,
    DEVKIT_ARCH: arch,
    DEVKIT_LIBC: libc ?? '',
    DEVKIT_MACOS: macos ?? '',
    npm_config_arch: arch,
    npm_config_target_arch: arch,
    npm_config_platform: platform,
  };
  return { name, platform, arch, libc, builder, glibc, macos, isaLevel, env };
}

/** The targets one package builds for: its own list, else every target devkit knows. */
export function packageTargetNames(config: DevkitConfig, packageName: string): string[] {
  return config.native?.packages?.[packageName]?.targets ?? knownTargetNames(config);
}
