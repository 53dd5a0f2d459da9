/**
 * EC2 instance states after which the instance's agent no longer serves. The
 * stack's EventBridge rule matches them and the handler sweeps on them, so
 * both read this one list. No imports: the cdktf app loads it too.
 */
export const GONE_INSTANCE_STATES = ["shutting-down", "terminated", "stopping", "stopped"] as const;
