import type { Reporter } from '@devkit/core';
import type { BuiltArtifact } from '@devkit/artifact';
import type { BuildPlan } from '../flows/build.js';
import type { CiRecorder, CiSummary } from './facts.js';

type BuildSummary = Extract<CiSummary, { kind: 'build' }>;

// turbo's closing lines: " Cached:    2 cached, 3 total" (ANSI colour codes when it thinks it may).
const TURBO_CACHED = /Cached:\s+(\d+) cached, (\d+) total/;
const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * The build's facts for CI, recorded as they become known: the plan first (so a build that fails
 * still says what it was building), the artifacts once packed, turbo's cache count when it printed
 * one. Returns the reporter to hand the build: the same one, also reading turbo's output.
 */
export function recordBuild(ci: CiRecorder, plan: BuildPlan, reporter: Reporter) {
  const summary: BuildSummary = {
    kind: 'build',
    commit: plan.git.commit,
    dirty: plan.git.dirty,
    deployables: plan.deployables.map((d) => ({ name: d.name, reuse: d.reuse, reason: d.reason })),
    native: plan.native.map((n) => ({ package: n.package, target: n.target, builder: n.builder })),
  };
  ci.summarize(summary);
  return {
    reporter: {
      emit(event) {
        if (event.type === 'output' && event.source === 'turbo') {
          const match = TURBO_CACHED.exec(event.line.replace(ANSI, ''));
          if (match) {
            summary.turbo = { cached: Number(match[1]), total: Number(match[2]) };
            ci.summarize(summary);
          }
        }
        reporter.emit(event);
      },
    } satisfies Reporter,
    built(artifacts: readonly BuiltArtifact[]) {
      summary.artifacts = artifacts.map((a) => ({
        name: a.name,
        digest: a.digest,
        size: a.size,
        reused: a.reused,
        reproducible: a.reproducible,
        layers: a.layers.map((l) => ({ part: l.part, digest: l.digest, size: l.size })),
      }));
      ci.summarize(summary);
    },
  };
}
