/** Types of scripts/build/cdktf.js (plain JavaScript: it starts before any TypeScript). */
export declare const HANDED_ON_VARIABLE: "PLATFORM_TF_VARS";
/** `env` plus PLATFORM_TF_VARS holding its TF_VAR_* variables. */
export declare function handOnTfVars<T extends Record<string, string | undefined>>(env: T): T & { PLATFORM_TF_VARS: string };
