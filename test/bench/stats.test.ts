import { median, medianPairedRatio, percentile } from "../../bench/lib/stats";

test("the median of an odd count is the middle sample; of an even count, the mean of the two middle ones", () => {
  expect(median([3, 1, 2])).toBe(2);
  expect(median([170, 166])).toBe(168);
  expect(median([4, 1, 3, 2])).toBe(2.5);
  expect(median([])).toBeNaN();
});

test("percentiles are by nearest rank: p99 of 30 samples is the largest", () => {
  const samples = Array.from({ length: 30 }, (_, i) => i + 1);
  expect(percentile(samples, 50)).toBe(15);
  expect(percentile(samples, 99)).toBe(30);
});

test("the paired ratio is the median of each sample's ratio to its own baseline, so a slow spell on both sides cancels out", () => {
  // The second pair ran while the machine was twice as slow.
  expect(medianPairedRatio([1200, 2400, 1300], [1000, 2000, 1000])).toBeCloseTo(1.2);
  // Unpaired, the same samples would say 1300 / 1000.
  expect(() => medianPairedRatio([1, 2], [1])).toThrow("2 samples against 1 baselines");
});
