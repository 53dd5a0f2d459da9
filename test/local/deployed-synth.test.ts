/**
 * local:down destroys with the stacks local:up deployed (`cdktf destroy
 * --skip-synth`) when they are there and were synthesized for this emulator,
 * so code changed since the deploy cannot break the destroy.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deployedSynthFits } from "../../scripts/local/local";

const endpoint = "http://127.0.0.1:4566";
const stacks = ["dev-network", "dev-services"];
let deployOutdir: string;
beforeEach(() => {
  deployOutdir = mkdtempSync(join(tmpdir(), "deployed-synth-test-"));
});
afterEach(() => rmSync(deployOutdir, { recursive: true, force: true }));

/** What `cdktf synth` leaves: manifest.json and each stack's cdk.tf.json, with the provider's endpoints. */
function synthesized(names: string[], forEndpoint: string): void {
  const manifest = { stacks: Object.fromEntries(names.map((n) => [n, { synthesizedStackPath: `stacks/${n}/cdk.tf.json` }])) };
  writeFileSync(join(deployOutdir, "manifest.json"), JSON.stringify(manifest));
  for (const name of names) {
    mkdirSync(join(deployOutdir, "stacks", name), { recursive: true });
    writeFileSync(join(deployOutdir, "stacks", name, "cdk.tf.json"), JSON.stringify({ provider: { aws: [{ endpoints: [{ ec2: forEndpoint }] }] } }));
  }
}

test("destroys with the deployed stacks when every one was synthesized for this emulator", () => {
  synthesized(stacks, endpoint);
  expect(deployedSynthFits({ deployOutdir, stacks, endpoint })).toBe(true);
});

test("synthesizes afresh when nothing was deployed from here", () => {
  expect(deployedSynthFits({ deployOutdir, stacks, endpoint })).toBe(false);
});

test("synthesizes afresh when a stack is missing", () => {
  synthesized(["dev-network"], endpoint);
  expect(deployedSynthFits({ deployOutdir, stacks, endpoint })).toBe(false);
});

test("synthesizes afresh when the stacks were synthesized for another emulator port", () => {
  synthesized(stacks, "http://127.0.0.1:45660"); // this endpoint with one more digit
  expect(deployedSynthFits({ deployOutdir, stacks, endpoint })).toBe(false);
});
