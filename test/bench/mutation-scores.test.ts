import { resolve } from "node:path";
import { equivalentMutantMismatches } from "../../bench/mutation/equivalent-mutants";
import { fileScores, totalScore, type MutantStatus } from "../../bench/mutation/scores";

const mutants = (...statuses: MutantStatus[]) => ({ mutants: statuses.map((status) => ({ status })) });

describe("mutation scores from Stryker's report", () => {
  test("a file scores detected ÷ (detected + survived + no coverage); disabled and non-compiling mutants do not count", () => {
    const [score] = fileScores({ files: { "dns/a.ts": mutants("Killed", "Killed", "Timeout", "Survived", "NoCoverage", "Ignored", "CompileError", "RuntimeError") } });
    expect(score).toEqual({ file: "dns/a.ts", killed: 2, timeout: 1, survived: 1, noCoverage: 1, ignored: 1, invalid: 2, scorePercent: 60 });
  });

  test("files come sorted by path, and the total adds their counts (not their percentages)", () => {
    const scores = fileScores({ files: { "dns/b.ts": mutants("Killed"), "dns/a.ts": mutants("Killed", "Survived", "Survived", "Survived") } });
    expect(scores.map((s) => [s.file, s.scorePercent])).toEqual([
      ["dns/a.ts", 25],
      ["dns/b.ts", 100],
    ]);
    expect(totalScore(scores)).toMatchObject({ file: "all", killed: 2, survived: 3, scorePercent: 40 });
  });

  test("a file with nothing to score scores 100", () => {
    expect(fileScores({ files: { "dns/types.ts": mutants("Ignored") } })[0].scorePercent).toBe(100);
  });
});

test("every mutant disabled in the DNS core is listed in test/mutation/equivalent-mutants.md, and every listed one is disabled", () => {
  expect(equivalentMutantMismatches(resolve(__dirname, "..", ".."))).toEqual([]);
});
