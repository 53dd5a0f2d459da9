/** Small statistics for benchmarks: medians and percentiles of measured samples. */

/** The `p`-th percentile (0–100) by nearest rank; `NaN` for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** The median: the middle sample, or the mean of the two middle ones for an even count; `NaN` for no samples. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * How many times slower `samples` are than a baseline measured in pairs with
 * them (`baselines[i]` run just before `samples[i]`): the median of the pairs'
 * ratios, so a machine that slows down for a while slows both sides alike.
 */
export function medianPairedRatio(samples: readonly number[], baselines: readonly number[]): number {
  if (samples.length !== baselines.length) throw new Error(`medianPairedRatio: ${samples.length} samples against ${baselines.length} baselines`);
  return median(samples.map((sample, i) => sample / baselines[i]));
}

/** `1234.5` → `"1.23 s"`, `12.3` → `"12 ms"`. */
export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

/** A Markdown table from a header row and rows. */
export function markdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}
