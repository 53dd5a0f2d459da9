/** Types of scripts/bundles.js (plain JavaScript: the cdktf app command loads it before any TypeScript). */
export interface Bundle {
  readonly name: string;
  readonly entry: string;
  readonly outfile: string;
  readonly banner?: string;
  readonly executable?: boolean;
}
export declare const BUNDLES: readonly Bundle[];
export declare function buildBundles(options?: {
  names?: readonly string[];
  onlyIfStale?: boolean;
  log?: (line: string) => void;
}): Promise<string[]>;
export declare function bundlePath(name: string): string;
