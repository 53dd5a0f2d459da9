/**
 * The Docker proxy as the user data installs it (its unit's ExecStart on
 * Node.js 22, socket-activated as its socket unit does, the bundle from the
 * synthesized asset), in front of the real dockerd `npm test` runs: what the
 * agent reads goes through; creating, killing, exec-ing, reading files or
 * images does not, and Docker never sees those requests.
 */
import { request } from "node:http";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { buildBundles } from "../../../scripts/build/bundles";
import { node22 } from "../../../scripts/lib/node22";
import { synthesizeAgentInstall, type SynthesizedInstall } from "../../helpers/installed-agent-synth";
import { acquireDockerLock, BEFORE_ALL_WITH_DOCKER_LOCK_MS } from "../helpers/docker-lock";
import { startInstalledDockerProxy, type InstalledDockerProxy } from "../helpers/installed-docker-proxy";
import { TestContainers } from "../helpers/test-containers";
import { testEnv, uniqueSuffix, waitFor } from "../helpers/test-env";

jest.setTimeout(60_000);

const env = testEnv();
const tag = `proxy-${uniqueSuffix()}`;
const containers = new TestContainers(env, tag);
const work = mkdtempSync(join(tmpdir(), "docker-proxy-"));
let synthesized: SynthesizedInstall | undefined;
let proxy: InstalledDockerProxy;
let proxied: Docker;
let releaseDocker: (() => void) | undefined;

beforeAll(async () => {
  await buildBundles({ onlyIfStale: true });
  synthesized = synthesizeAgentInstall({ id: "Z0123456789ABCDEFGHIJ", name: "svc.internal." }, env.motoUrl);
  const socketPath = join(work, "ecsdns-docker.sock");
  proxy = startInstalledDockerProxy(synthesized.installed.units, { node: node22(), bundle: synthesized.dockerProxyBundle, socketPath, dockerHost: env.dockerHost });
  await waitFor("the proxy's socket", async () => existsSync(socketPath), 10_000, 50);
  proxied = new Docker({ socketPath });
  releaseDocker = await acquireDockerLock(env.envDir);
}, BEFORE_ALL_WITH_DOCKER_LOCK_MS);

afterAll(async () => {
  await containers.removeAll();
  releaseDocker?.();
  await proxy?.stop();
  synthesized?.dispose();
  rmSync(work, { recursive: true, force: true });
});

/** A raw request through the proxy: status and body. */
function raw(method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: join(work, "ecsdns-docker.sock"), method, path, headers: body ? { "content-type": "application/json" } : {} }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const ofThisTest = async (docker: Docker) => (await docker.listContainers({ all: true, filters: { label: [`ecsdns-test=${tag}`] } })).map((c) => c.Id);

test("lists and inspects containers and follows Docker's events, as the agent does", async () => {
  // GIVEN the event stream through the proxy
  const events = (await proxied.getEvents({ filters: { type: ["container"], label: [`ecsdns-test=${tag}`] } })) as NodeJS.ReadableStream & { destroy(): void };
  let seen = "";
  events.on("data", (chunk: Buffer) => (seen += chunk.toString("utf8")));
  try {
    // WHEN a container starts (on Docker itself)
    const started = await containers.start({ labels: { SERVICE_8080_NAME: "_proxy._tcp" } });
    // THEN the proxy lists it, inspects it, and streamed its start
    expect(await ofThisTest(proxied)).toEqual([started.id]);
    const inspected = await proxied.getContainer(started.id).inspect();
    expect(inspected.Config.Labels.SERVICE_8080_NAME).toBe("_proxy._tcp");
    const startEvent = () => seen.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as { Action?: string; id?: string }).some((e) => e.Action === "start" && e.id === started.id);
    await waitFor("the start event through the proxy", async () => startEvent(), 10_000, 100);
  } finally {
    events.destroy();
  }
});

test("refuses to create a container (403, Docker's error shape), and Docker never creates one", async () => {
  // GIVEN
  const before = await ofThisTest(containers.docker);
  // WHEN
  const creating = proxied.createContainer({ Image: env.image, Cmd: ["/bin/busybox", "true"], Labels: { "ecsdns-test": tag }, HostConfig: { Binds: ["/:/host"] } });
  // THEN
  await expect(creating).rejects.toMatchObject({ statusCode: 403, message: expect.stringContaining("method POST is not allowed") });
  expect(await ofThisTest(containers.docker)).toEqual(before);
});

test.each([
  ["POST", (id: string) => `/containers/${id}/kill`],
  ["POST", (id: string) => `/v1.41/containers/${id}/exec`],
  ["DELETE", (id: string) => `/containers/${id}?force=1`],
  ["GET", (id: string) => `/containers/${id}/archive?path=/etc`],
  ["GET", (id: string) => `/containers/${id}/logs?stdout=1`],
  ["GET", () => "/images/json"],
  ["GET", (id: string) => `/containers/${id}/../../images/json`],
  ["GET", (id: string) => `/containers/${id}%2F..%2F..%2Fimages/json`],
])("refuses %s %s, and the container runs on", async (method, path) => {
  // GIVEN a running container
  const target = await containers.start();
  // WHEN
  const answer = await raw(method, path(target.id), method === "POST" ? JSON.stringify({ Cmd: ["/bin/busybox", "id"] }) : undefined);
  // THEN
  expect(answer.status).toBe(403);
  expect(JSON.parse(answer.body).message).toMatch(/^ecsdns docker proxy: /);
  expect((await containers.docker.getContainer(target.id).inspect()).State.Running).toBe(true);
});
