import { ConfigError } from "../../config/config-error";
import { HANDED_ON_VARIABLE, synthEnvironment } from "../../config/synth-environment";
import { handOnTfVars } from "../../scripts/build/cdktf";

const problemsOf = (env: Record<string, string>) => {
  try {
    synthEnvironment(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
};

test("the npm wrapper hands on exactly the TF_VAR_* variables, and the app gets them back", () => {
  // GIVEN what a shell or Jenkins sets, then what the cdktf CLI passes to the app (no TF_VAR_*, CDKTF_OUTDIR set)
  const handedOn = handOnTfVars({ TF_VAR_container_name: "web,api", TF_VAR_environment: "prod", PATH: "/usr/bin" });
  const seenByApp = { PATH: "/usr/bin", CDKTF_OUTDIR: "cdktf.out", [HANDED_ON_VARIABLE]: handedOn[HANDED_ON_VARIABLE] };
  // WHEN / THEN
  expect(synthEnvironment(seenByApp)).toEqual({ ...seenByApp, TF_VAR_container_name: "web,api", TF_VAR_environment: "prod" });
});

test("run directly (not by the cdktf CLI), the environment is used as it is", () => {
  const env = { TF_VAR_container_name: "web" };
  expect(synthEnvironment(env)).toBe(env);
});

test("run by the cdktf CLI without the wrapper, it refuses and says to use npm run synth, instead of building the defaults", () => {
  expect(problemsOf({ CDKTF_OUTDIR: "cdktf.out" })).toEqual([
    { variable: "TF_VAR_*", value: undefined, message: expect.stringMatching(/hides TF_VAR_\* variables.*npm run synth.*npm run cdktf -- <command>/) },
  ]);
});

test.each([
  ["not JSON", "TF_VAR_x=1"],
  ["not an object", '["TF_VAR_x"]'],
  ["a name that is not TF_VAR_*", '{"PATH":"/bin"}'],
  ["a value that is not a string", '{"TF_VAR_desired_count":2}'],
])("refuses a PLATFORM_TF_VARS that is %s, naming it and its value", (_what, value) => {
  expect(problemsOf({ CDKTF_OUTDIR: "cdktf.out", PLATFORM_TF_VARS: value })).toEqual([
    { variable: "PLATFORM_TF_VARS", value, message: expect.stringContaining("must be a JSON object of TF_VAR_* names and string values") },
  ]);
});
