/**
 * The fixture the agent's integration tests share: the Docker lock, a zone
 * of their own in the emulator and a set of labelled containers. Agents and
 * containers are removed after each test; the zone and the lock at the end.
 */
import { EmulatorZone } from "../../helpers/zones";
import { AgentProcess } from "./agent-process";
import { acquireDockerLock, BEFORE_ALL_WITH_DOCKER_LOCK_MS } from "./docker-lock";
import { TestContainers } from "./test-containers";
import { uniqueSuffix, type TestEnv } from "./test-env";

/** What {@link useAgentWorld} makes, once its beforeAll has run. */
export interface AgentWorld {
  readonly zone: EmulatorZone;
  readonly containers: TestContainers;
}

/**
 * Registers the hooks; `ready` receives the zone and containers (named after
 * `name`) when they exist, so a test file keeps them in its own variables.
 */
export function useAgentWorld(env: TestEnv, name: string, ready: (world: AgentWorld) => void): void {
  let releaseLock: () => void = () => undefined;
  let world: AgentWorld | undefined;
  beforeAll(async () => {
    releaseLock = await acquireDockerLock(env.envDir);
    world = { zone: await EmulatorZone.createUnique(env.motoUrl, `agent-${name}`), containers: new TestContainers(env, `${name}-${uniqueSuffix()}`) };
    ready(world);
  }, BEFORE_ALL_WITH_DOCKER_LOCK_MS);

  afterEach(async () => {
    await AgentProcess.killAll();
    await world?.containers.removeAll();
  });

  afterAll(async () => {
    await AgentProcess.killAll();
    await world?.containers.removeAll().catch(() => undefined);
    await world?.zone.destroy();
    releaseLock();
  });
}
