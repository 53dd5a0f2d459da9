/**
 * The AWS SDK's standard variables that the programs' entry points read and
 * hand to the adapters, which read no environment themselves.
 */

/** The region the SDK would use (`AWS_REGION`, else `AWS_DEFAULT_REGION`); `undefined` when neither is set. */
export function awsRegion(env: Readonly<Record<string, string | undefined>>): string | undefined {
  return env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
}
