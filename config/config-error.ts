/** One configuration problem: where the value came from, the value, and what is wrong. */
export interface ConfigProblem {
  /** The variable as the user wrote it, e.g. `TF_VAR_container_port` or `platform.json: containers[1].port`. */
  readonly variable: string;
  /** The offending value, as given. */
  readonly value: unknown;
  /** What is wrong and, where it helps, what to do. */
  readonly message: string;
}

/** Every configuration problem found, reported together before anything touches AWS. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      [`invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):`, ...problems.map(formatProblem)].join(
        "\n",
      ),
    );
    this.name = "ConfigError";
  }
}

/** `  - TF_VAR_container_port = "8000,x": value 2 ("x") is not a whole number` */
export function formatProblem(p: ConfigProblem): string {
  return `  - ${p.variable} = ${JSON.stringify(p.value)}: ${p.message}`;
}
