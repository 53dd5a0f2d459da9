/** Types of scripts/build/bundles.js (plain JavaScript: the cdktf app command loads it before any TypeScript). */
export interface Bundle {
  readonly name: string;
  readonly entry: string;
  readonly outfile: string;
  readonly banner?: string;
  readonly executable?: boolean;
  /** Also written: this zip holding the bundle as `index.js` (a Lambda function's code). */
  readonly zipfile?: string;
}
export declare const BUNDLES: readonly Bundle[];
export declare function buildBundles(options?: {
  names?: readonly string[];
  onlyIfStale?: boolean;
  log?: (line: string) => void;
}): Promise<string[]>;
/** True when the bundle is missing or one of its inputs changed after it was built. */
export declare function isBundleStale(bundle: Bundle): boolean;
export declare function bundlePath(name: string): string;
export declare function bundleZipPath(name: string): string;
/** Write a zip of `files` (name → content) whose bytes depend on the content only. */
export declare function writeZip(file: string, files: Record<string, Uint8Array>): void;
/** True when `outfile` is missing or older than an input listed in `<outfile>.inputs.json` or one of `alsoDependsOn` (relative to `root`, default the repository). */
export declare function isOutputStale(outfile: string, alsoDependsOn: readonly string[], root?: string): boolean;
/** Write `file` whole (a temporary file and a rename). */
export declare function writeFileAtomically(file: string, data: string | Uint8Array, mode?: number): void;
/** Record esbuild's inputs for `outfile` (`<outfile>.inputs.json`; node_modules as npm's install record); returns how many files esbuild read. */
export declare function writeInputsList(outfile: string, metafile: { inputs: Record<string, unknown> }): number;
