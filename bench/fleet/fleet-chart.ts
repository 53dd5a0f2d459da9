/**
 * The fleet benchmark's plot: Route53 requests/s (10-s windows) over virtual
 * time, one panel per fleet size, before and after, on a log scale (the two
 * variants differ by two orders of magnitude), with the account's budget
 * (10/s) and the goals (1/s steady, 5/s during the refresh) drawn in.
 */
import { TIMELINE } from "./fleet-run";

interface Run {
  readonly variant: string;
  readonly hosts: number;
  readonly series: readonly { readonly t: number; readonly requests: number }[];
}

const WIDTH = 860;
const PANEL_HEIGHT = 220;
const MARGIN = { left: 70, right: 150, top: 40, bottom: 40 };
const COLORS: Record<string, string> = { before: "#d62728", after: "#1f77b4" };
const Y_MIN = 0.01;
const Y_MAX = 1000;

/** One SVG document, a panel per fleet size. */
export function fleetChartSvg(runs: readonly Run[]): string {
  const sizes = [...new Set(runs.map((r) => r.hosts))].sort((a, b) => a - b);
  const height = MARGIN.top + sizes.length * (PANEL_HEIGHT + MARGIN.bottom);
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const tMax = TIMELINE.endMs / 1000;
  const sx = (t: number) => MARGIN.left + (t / tMax) * plotW;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">Route53 requests/s of the fleet (10-s windows, throttled ones included), 10,000-record zone</text>`,
  ];
  sizes.forEach((hosts, panel) => {
    const top = MARGIN.top + panel * (PANEL_HEIGHT + MARGIN.bottom);
    const sy = (v: number) => top + PANEL_HEIGHT - ((Math.log10(Math.max(Y_MIN, Math.min(Y_MAX, v))) - Math.log10(Y_MIN)) / (Math.log10(Y_MAX) - Math.log10(Y_MIN))) * PANEL_HEIGHT;
    for (const v of [0.01, 0.1, 1, 10, 100, 1000]) {
      parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${sy(v)}" y2="${sy(v)}" stroke="#e0e0e0"/>`, `<text x="${MARGIN.left - 6}" y="${sy(v) + 4}" text-anchor="end">${v}</text>`);
    }
    for (let t = 0; t <= tMax; t += 300) parts.push(`<text x="${sx(t)}" y="${top + PANEL_HEIGHT + 15}" text-anchor="middle">${t / 60} min</text>`);
    // The steady-state window and the refresh window.
    const shade = (from: number, to: number, label: string) =>
      parts.push(`<rect x="${sx(from / 1000)}" y="${top}" width="${sx(to / 1000) - sx(from / 1000)}" height="${PANEL_HEIGHT}" fill="#f4f4f4"/>`, `<text x="${sx(from / 1000) + 4}" y="${top + 12}" fill="#666">${label}</text>`);
    shade(TIMELINE.steadyFromMs, TIMELINE.steadyToMs, "steady state");
    shade(TIMELINE.refreshAtMs, TIMELINE.endMs, "instance refresh");
    for (const [value, label, color] of [[10, "account budget 10/s", "#000"], [5, "refresh goal 5/s", "#ff7f0e"], [1, "steady goal 1/s", "#2ca02c"]] as const) {
      parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${sy(value)}" y2="${sy(value)}" stroke="${color}" stroke-dasharray="4 3"/>`, `<text x="${MARGIN.left + plotW + 4}" y="${sy(value) + 4}" fill="${color}">${label}</text>`);
    }
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${top}" y2="${top + PANEL_HEIGHT}" stroke="black"/>`,
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${top + PANEL_HEIGHT}" y2="${top + PANEL_HEIGHT}" stroke="black"/>`,
      `<text transform="translate(16 ${top + PANEL_HEIGHT / 2}) rotate(-90)" text-anchor="middle">${hosts} hosts: req/s</text>`,
    );
    runs
      .filter((r) => r.hosts === hosts)
      .forEach((run, i) => {
        const color = COLORS[run.variant] ?? "#555";
        const points = run.series.map((w) => `${sx(w.t + 5).toFixed(1)},${sy(w.requests / 10).toFixed(1)}`).join(" ");
        parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${points}"/>`, `<text x="${MARGIN.left + plotW + 4}" y="${top + 20 + i * 16}" fill="${color}" font-weight="bold">${run.variant}</text>`);
      });
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
