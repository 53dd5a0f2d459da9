/**
 * Which EC2 instances still run: the only file of the janitor that imports
 * @aws-sdk/client-ec2.
 *
 * DescribeInstances with an `instance-id` *filter*, not InstanceIds: an id
 * that no longer exists (terminated long ago) is then simply absent instead
 * of failing the whole call with InvalidInstanceID.NotFound.
 */
import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";

/** States in which an instance's agent may still be serving. */
export const RUNNING_STATES = ["pending", "running"] as const;

/** How many ids go into one filter; EC2 caps filter values per call. */
export const IDS_PER_CALL = 100;

/** The narrow view of EC2 the janitor needs. */
export interface InstanceStates {
  /** The ids among `instanceIds` that are pending or running. */
  running(instanceIds: readonly string[], signal?: AbortSignal): Promise<Set<string>>;
}

/** Settings of {@link Ec2InstanceStates}. */
export interface Ec2InstanceStatesOptions {
  /** @default - the SDK's own choice (AWS_REGION, the profile) */
  readonly region?: string;
}

/** {@link InstanceStates} over the AWS SDK (standard credential chain and endpoints). */
export class Ec2InstanceStates implements InstanceStates {
  /** DescribeInstances calls made so far (for the report and the benchmark). */
  calls = 0;
  private readonly client: Pick<EC2Client, "send">;

  constructor(options: Ec2InstanceStatesOptions = {}) {
    this.client = new EC2Client({ ...(options.region ? { region: options.region } : {}), maxAttempts: 8, retryMode: "adaptive" });
  }

  async running(instanceIds: readonly string[], signal?: AbortSignal): Promise<Set<string>> {
    const running = new Set<string>();
    for (let i = 0; i < instanceIds.length; i += IDS_PER_CALL) {
      const chunk = instanceIds.slice(i, i + IDS_PER_CALL);
      let nextToken: string | undefined;
      do {
        this.calls += 1;
        const page = await this.client.send(
          new DescribeInstancesCommand({
            Filters: [
              { Name: "instance-id", Values: chunk },
              { Name: "instance-state-name", Values: [...RUNNING_STATES] },
            ],
            NextToken: nextToken,
          }),
          { abortSignal: signal },
        );
        for (const reservation of page.Reservations ?? []) {
          for (const instance of reservation.Instances ?? []) if (instance.InstanceId) running.add(instance.InstanceId);
        }
        nextToken = page.NextToken;
      } while (nextToken);
    }
    return running;
  }
}
