/** Types of scripts/build/app.js (plain JavaScript: the cdktf app command). */
/** Builds the bundles and the app when stale; resolves with the app bundle's path. */
export declare function buildAll(log?: (line: string) => void): Promise<string>;
/** Brings .gen/app.js up to date; returns its path. */
export declare function buildApp(): string;
