// The bootstrap step alone, for `devkit bootstrap`: the package index also loads the hook runner
// (lint-staged tasks, picomatch, the blob reader), which a warm bootstrap never uses.
export { hooksStep } from './install.js';
