/**
 * How many inputs a property tries. The full count in `npm test`; scaled
 * down under mutation testing (jest.mutation.config.js sets
 * PROPERTY_RUNS_FACTOR), where Stryker runs every test that covers a mutant
 * for each of about a thousand mutants, and jest cannot stop at the first
 * failure. There the seed is fixed too (test/mutation/jest-setup.ts), so a
 * mutant is killed or not the same way on every run.
 */
export function propertyRuns(full: number): number {
  const factor = Number(process.env.PROPERTY_RUNS_FACTOR ?? "1");
  if (!(factor > 0 && factor <= 1)) throw new Error(`PROPERTY_RUNS_FACTOR=${process.env.PROPERTY_RUNS_FACTOR}: expected a number in (0, 1]`);
  return Math.max(10, Math.round(full * factor));
}
