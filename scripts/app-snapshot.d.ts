/** Types of scripts/app-snapshot.js (plain JavaScript: the cdktf app command loads it before any TypeScript). */
export declare const APP_SNAPSHOT: string;
/** The snapshot's exit status when it is older than its code or not this checkout's. */
export declare const STALE_EXIT_CODE: number;
/** node's exit status when it cannot load a snapshot built by another node version or with other V8 flags. */
export declare const NODE_SNAPSHOT_MISMATCH_EXIT_CODE: number;
/** PLATFORM_APP_SNAPSHOT: on (the default) or off; anything else throws. */
export declare function snapshotsEnabled(env?: NodeJS.ProcessEnv): boolean;
/** True when the running snapshot must not be used (older than its code, or another checkout's). */
export declare function isRunningSnapshotStale(): boolean;
/** Bring .gen/app.js and (unless `snapshot: false`) .gen/app.blob up to date; what to run. */
export declare function buildApp(options?: { log?: (line: string) => void; snapshot?: boolean; rebuildSnapshot?: boolean }): {
  bundle: string;
  snapshot?: string;
};
