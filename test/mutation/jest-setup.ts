/**
 * Setup of the jest run Stryker mutates against (jest.mutation.config.js):
 * a fixed fast-check seed, so that a mutant is killed or survives the same way
 * on every run (and `--incremental` can trust the baseline), and no
 * shrinking: a mutant is killed by the first failing input, and shrinking it
 * would only cost time.
 */
import fc from "fast-check";

fc.configureGlobal({ seed: 20261202, endOnFailure: true });
