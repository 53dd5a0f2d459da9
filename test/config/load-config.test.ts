import { ConfigError, type ConfigProblem } from "../../config/config-error";
import { knownTfVarNames, loadConfig } from "../../config/load-config";

const threeContainers = { TF_VAR_container_name: "web,api,admin", TF_VAR_container_port: "8000,8001,8002" };

/** Load, expecting failure; return the problems. */
function problemsOf(env: Record<string, string>, file?: unknown): ConfigProblem[] {
  try {
    loadConfig(file === undefined ? env : { ...env, PLATFORM_CONFIG: "platform.json" }, () => {
      if (typeof file === "string") return file;
      return JSON.stringify(file);
    });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return [...(e as ConfigError).problems];
  }
  throw new Error("expected a ConfigError");
}

function fileConfig(file: object, env: Record<string, string> = {}) {
  return loadConfig({ ...env, PLATFORM_CONFIG: "platform.json" }, () => JSON.stringify(file));
}

describe("defaults", () => {
  // GIVEN only the container list WHEN loading THEN every documented default applies
  const config = loadConfig(threeContainers);

  test.each([
    ["environment", "dev"],
    ["resource_tag", "ecs-platform"],
    ["aws_region", "us-west-2"],
    ["profile", ""],
    ["target", "aws"],
    ["cidr_block", "10.10.0.0/16"],
    ["az_count", 2],
    ["nat_gateway_mode", "single"],
    ["flow_logs", false],
    ["vpc_id", ""],
    ["public_subnet_ids", []],
    ["private_subnet_ids", []],
    ["instance_type", "t3.small"],
    ["asg_min", 2],
    ["asg_max", 5],
    ["asg_desired", 2],
    ["key_name", ""],
    ["admin_cidr_ingress", ""],
    ["ami_parameter", ""],
    ["ami_auto_update", false],
    ["internal_elb", false],
    ["alb_ingress_cidrs", ["0.0.0.0/0"]],
    ["certificate_arn", ""],
    ["ssl_policy", "ELBSecurityPolicy-TLS13-1-2-2021-06"],
    ["alb_deletion_protection", false],
    ["deregistration_delay_seconds", 30],
    ["registry_url", ""],
    ["log_retention_days", 30],
    ["discovery_zone_name", "servicediscovery.internal"],
    ["discovery_zone_id", ""],
    ["discovery_zone_associated", false],
    ["wait_for_steady_state", undefined],
    ["state_bucket", ""],
    ["state_key_prefix", "ecs-platform"],
  ])("%s defaults to %j", (key, value) => {
    expect(config[key as keyof typeof config]).toEqual(value);
  });

  test("each container gets the documented defaults", () => {
    expect(config.containers[0]).toEqual({
      name: "web",
      port: 8000,
      desired_count: 2,
      version_tag: "latest",
      namespace: "",
      image: "",
      health_check: "/",
      cpu: 256,
      memory: 512,
      env: {},
      aws_policies: [],
      discovery: true,
      secrets: {},
    });
  });

  test("the loaded configuration is frozen", () => {
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.containers[0].env)).toBe(true);
  });
});

describe("TF_VAR_ per-container lists (the seed's Jenkins parameters)", () => {
  test("a list with one value applies to every container", () => {
    const config = loadConfig({ ...threeContainers, TF_VAR_desired_count: "3", TF_VAR_version_tag: "v1.2" });
    expect(config.containers.map((c) => [c.desired_count, c.version_tag])).toEqual([
      [3, "v1.2"],
      [3, "v1.2"],
      [3, "v1.2"],
    ]);
  });

  test("a list with one value per container is positional", () => {
    const config = loadConfig({ ...threeContainers, TF_VAR_desired_count: "1,2,3", TF_VAR_namespace: "a/,b/,c/" });
    expect(config.containers.map((c) => [c.name, c.port, c.desired_count, c.namespace])).toEqual([
      ["web", 8000, 1, "a/"],
      ["api", 8001, 2, "b/"],
      ["admin", 8002, 3, "c/"],
    ]);
  });

  test("refuses a list whose length is neither 1 nor the number of containers (the seed wrapped silently)", () => {
    const problems = problemsOf({ ...threeContainers, TF_VAR_desired_count: "1,2" });
    expect(problems).toEqual([
      {
        variable: "TF_VAR_desired_count",
        value: "1,2",
        message: expect.stringContaining("has 2 values but there are 3 containers (web,api,admin)"),
      },
    ]);
  });

  test("an empty item keeps the default, as the seed's health_check ',products'", () => {
    const config = loadConfig({ TF_VAR_container_name: "web,products", TF_VAR_health_check: ",products" });
    expect(config.containers.map((c) => c.health_check)).toEqual(["/", "/products"]);
  });

  test("health_check is accepted with or without the leading slash", () => {
    const config = loadConfig({ TF_VAR_container_name: "a,b", TF_VAR_health_check: "/health,status/ready" });
    expect(config.containers.map((c) => c.health_check)).toEqual(["/health", "/status/ready"]);
  });

  test("env_key/env_value add one variable per container, or one for all", () => {
    const forAll = loadConfig({ ...threeContainers, TF_VAR_env_key: "DB_HOST", TF_VAR_env_value: "db.internal" });
    expect(forAll.containers.map((c) => c.env)).toEqual([{ DB_HOST: "db.internal" }, { DB_HOST: "db.internal" }, { DB_HOST: "db.internal" }]);
    const each = loadConfig({ ...threeContainers, TF_VAR_env_key: "A,,C", TF_VAR_env_value: "1,,3" });
    expect(each.containers.map((c) => c.env)).toEqual([{ A: "1" }, {}, { C: "3" }]);
  });

  test("env_value without env_key is refused", () => {
    expect(problemsOf({ ...threeContainers, TF_VAR_env_value: "x" })).toEqual([
      { variable: "TF_VAR_env_value", value: "x", message: "has no env_key to go with it" },
    ]);
  });

  test("aws_policy is attached only where add_aws_policy is true, as in the seed", () => {
    const config = loadConfig({
      ...threeContainers,
      TF_VAR_add_aws_policy: "true,false,true",
      TF_VAR_aws_policy: "AmazonDynamoDBReadOnlyAccess,AmazonS3FullAccess,arn:aws:iam::123456789012:policy/custom",
    });
    expect(config.containers.map((c) => c.aws_policies)).toEqual([
      ["AmazonDynamoDBReadOnlyAccess"],
      [],
      ["arn:aws:iam::123456789012:policy/custom"],
    ]);
  });

  test("aws_policy without add_aws_policy is ignored, as in the seed's Jenkins job", () => {
    const config = loadConfig({ ...threeContainers, TF_VAR_aws_policy: "AmazonS3FullAccess" });
    expect(config.containers.every((c) => c.aws_policies.length === 0)).toBe(true);
  });

  test("add_aws_policy=true with an empty aws_policy is refused", () => {
    expect(problemsOf({ ...threeContainers, TF_VAR_add_aws_policy: "true" })).toEqual([
      { variable: "TF_VAR_aws_policy", value: "", message: expect.stringContaining("is empty while add_aws_policy is true") },
    ]);
  });

  test("per-container variables without any container names are refused", () => {
    expect(problemsOf({ TF_VAR_container_port: "8000" })).toContainEqual({
      variable: "TF_VAR_container_port",
      value: "8000",
      message: expect.stringContaining("no containers are named"),
    });
  });

  test("a non-numeric port names the variable, the position and the container", () => {
    expect(problemsOf({ ...threeContainers, TF_VAR_container_port: "8000,80x1,8002" })).toEqual([
      { variable: "TF_VAR_container_port (value 2 of 3, container api)", value: "80x1", message: "must be a whole number" },
    ]);
  });

  test("container_cpu, container_memory and container_image set the structured fields", () => {
    const config = loadConfig({
      TF_VAR_container_name: "a",
      TF_VAR_container_cpu: "512",
      TF_VAR_container_memory: "1024",
      TF_VAR_container_image: "nginx:1.27",
    });
    expect(config.containers[0]).toMatchObject({ cpu: 512, memory: 1024, image: "nginx:1.27" });
  });
});

describe("discovery per container", () => {
  test("is on by default, under the container's own name", () => {
    const config = loadConfig(threeContainers);
    expect(config.containers.map((c) => [c.discovery, c.discovery_name])).toEqual([[true, undefined], [true, undefined], [true, undefined]]);
  });

  test("TF_VAR_discovery and TF_VAR_discovery_name set it per container; an empty item keeps the default", () => {
    const config = loadConfig({ ...threeContainers, TF_VAR_discovery: "false,true,", TF_VAR_discovery_name: ",frontend-api," });
    expect(config.containers.map((c) => [c.discovery, c.discovery_name])).toEqual([[false, undefined], [true, "frontend-api"], [true, undefined]]);
  });

  test("a discovery that is not true or false, and a discovery_name that is not a DNS label, name the variable and the container", () => {
    expect(problemsOf({ ...threeContainers, TF_VAR_discovery: "yes,true,true", TF_VAR_discovery_name: "web,Api_1,admin" })).toEqual([
      { variable: "TF_VAR_discovery (value 1 of 3, container web)", value: "yes", message: "must be true or false" },
      { variable: "TF_VAR_discovery_name (value 2 of 3, container api)", value: "Api_1", message: expect.stringContaining("must be lowercase letters, digits and hyphens") },
    ]);
  });

  test("refuses a discovery_name whose SRV name would be longer than DNS allows", () => {
    const zone = `${"z".repeat(60)}.${"y".repeat(60)}.${"x".repeat(60)}.internal`;
    expect(problemsOf({ TF_VAR_container_name: "web", TF_VAR_discovery_zone_name: zone, TF_VAR_discovery_name: "a".repeat(62) })).toEqual([
      { variable: "TF_VAR_discovery_name", value: "a".repeat(62), message: expect.stringContaining("longer than DNS allows (253)") },
    ]);
  });
});

describe("scalar TF_VAR_ variables", () => {
  test("numbers, booleans, lists and strings are read by their type", () => {
    const config = loadConfig({
      ...threeContainers,
      TF_VAR_asg_max: "9",
      TF_VAR_internal_elb: "TRUE",
      TF_VAR_alb_ingress_cidrs: "10.0.0.0/8, 192.168.0.0/16",
      TF_VAR_instance_type: "m5.large",
    });
    expect([config.asg_max, config.internal_elb, config.alb_ingress_cidrs, config.instance_type]).toEqual([
      9,
      true,
      ["10.0.0.0/8", "192.168.0.0/16"],
      "m5.large",
    ]);
  });

  test("an unreadable boolean or number names the variable and the value", () => {
    const problems = problemsOf({ ...threeContainers, TF_VAR_internal_elb: "yes", TF_VAR_asg_max: "five" });
    expect(problems).toHaveLength(2);
    expect(problems).toEqual(
      expect.arrayContaining([
        { variable: "TF_VAR_internal_elb", value: "yes", message: "must be true or false" },
        { variable: "TF_VAR_asg_max", value: "five", message: "must be a whole number" },
      ]),
    );
  });

  test("alarm_topic_arn: empty by default (alarms without actions), an SNS topic ARN, or refused naming the variable", () => {
    expect(loadConfig(threeContainers).alarm_topic_arn).toBe("");
    const topic = "arn:aws:sns:us-west-2:123456789012:ops-alerts";
    expect(loadConfig({ ...threeContainers, TF_VAR_alarm_topic_arn: topic }).alarm_topic_arn).toBe(topic);
    expect(problemsOf({ ...threeContainers, TF_VAR_alarm_topic_arn: "ops-alerts" })).toEqual([
      { variable: "TF_VAR_alarm_topic_arn", value: "ops-alerts", message: "must be the ARN of a standard SNS topic such as arn:aws:sns:us-west-2:123456789012:ops-alerts" },
    ]);
  });

  test("an unknown TF_VAR_ is refused with the closest known name", () => {
    expect(problemsOf({ ...threeContainers, TF_VAR_contianer_port: "80" })).toEqual([
      {
        variable: "TF_VAR_contianer_port",
        value: "80",
        message: "is not a variable of this platform; did you mean TF_VAR_container_port?",
      },
    ]);
  });

  test("the replaced TF_VAR_janitor_health_check_path is refused, saying what to set instead", () => {
    expect(problemsOf({ ...threeContainers, TF_VAR_janitor_health_check_path: "/health" })).toEqual([
      { variable: "TF_VAR_janitor_health_check_path", value: "/health", message: expect.stringMatching(/^was replaced by TF_VAR_janitor_health_checks=true: .*SERVICE_CHECK_HTTP/) },
    ]);
  });

  test("with janitor_health_checks, a discovered container's health_check must fit the SRV record's set identifier, unless its env sets its own check", () => {
    const problems = problemsOf({ TF_VAR_container_name: "web,api,admin", TF_VAR_container_port: "8000", TF_VAR_janitor_health_checks: "true", TF_VAR_health_check: "/status.json,/ready,/status.json", TF_VAR_discovery: "true,true,false" });
    expect(problems).toEqual([
      expect.objectContaining({ variable: expect.stringContaining("TF_VAR_health_check"), value: "/status.json", message: expect.stringMatching(/janitor_health_checks.*at most 22 characters.*SERVICE_8000_CHECK_HTTP in env/) }),
    ]);
    expect(() => loadConfig({ TF_VAR_container_name: "web", TF_VAR_health_check: "/status.json" })).not.toThrow();
    expect(() => loadConfig({ TF_VAR_container_name: "web", TF_VAR_janitor_health_checks: "true", TF_VAR_health_check: "/status.json", TF_VAR_env_key: "SERVICE_CHECK_HTTP", TF_VAR_env_value: "" })).not.toThrow();
  });

  test("every seed variable name is accepted", () => {
    const seedNames = [
      "container_name", "container_port", "desired_count", "version_tag", "health_check", "env_key", "env_value",
      "add_aws_policy", "aws_policy", "internal_elb", "registry_url", "namespace", "asg_min", "asg_max",
      "asg_desired", "instance_type", "key_name", "admin_cidr_ingress", "aws_region", "profile", "resource_tag",
    ];
    expect(knownTfVarNames()).toEqual(expect.arrayContaining(seedNames.map((n) => `TF_VAR_${n}`)));
  });
});

describe("the JSON config file", () => {
  test("carries the structured form: env maps, several policies, cpu/memory, image", () => {
    const config = fileConfig({
      environment: "staging",
      containers: [
        { name: "web", port: 80, env: { A: "1", B: "2" }, aws_policies: ["AmazonS3ReadOnlyAccess", "AmazonSQSFullAccess"], cpu: 512, memory: 1024 },
        { name: "api", port: 8080, image: "public.ecr.aws/nginx/nginx:1.27" },
      ],
    });
    expect(config.environment).toBe("staging");
    expect(config.containers[0]).toMatchObject({ env: { A: "1", B: "2" }, aws_policies: ["AmazonS3ReadOnlyAccess", "AmazonSQSFullAccess"], cpu: 512, memory: 1024 });
    expect(config.containers[1].image).toBe("public.ecr.aws/nginx/nginx:1.27");
  });

  test("TF_VAR_ wins over the file; named containers keep their structured settings", () => {
    const config = fileConfig(
      { aws_region: "eu-west-1", containers: [{ name: "api", port: 9000, env: { A: "1" } }, { name: "web", port: 80 }] },
      { TF_VAR_aws_region: "eu-central-1", TF_VAR_container_name: "web,api,new", TF_VAR_desired_count: "1" },
    );
    expect(config.aws_region).toBe("eu-central-1");
    expect(config.containers.map((c) => [c.name, c.port, c.env, c.desired_count])).toEqual([
      ["web", 80, {}, 1],
      ["api", 9000, { A: "1" }, 1],
      ["new", 80, {}, 1],
    ]);
  });

  test("per-container TF_VAR_ lists apply to the file's containers when container_name is not set", () => {
    const config = fileConfig({ containers: [{ name: "a" }, { name: "b" }] }, { TF_VAR_version_tag: "v1,v2" });
    expect(config.containers.map((c) => c.version_tag)).toEqual(["v1", "v2"]);
  });

  test("unknown keys are refused, naming the file and the key", () => {
    expect(problemsOf({}, { containers: [{ name: "a", prot: 80 }], regoin: "x" })).toEqual([
      { variable: "platform.json: containers[0]", value: ["prot"], message: expect.stringContaining("unknown key prot") },
      { variable: "platform.json", value: ["regoin"], message: expect.stringContaining("unknown key regoin") },
    ]);
  });

  test("invalid JSON and an unreadable file are reported", () => {
    expect(problemsOf({}, "{ nope")[0]).toMatchObject({ variable: "PLATFORM_CONFIG", value: "platform.json", message: expect.stringContaining("is not valid JSON") });
    const load = () =>
      loadConfig({ PLATFORM_CONFIG: "/missing.json" }, () => {
        throw new Error("ENOENT: no such file");
      });
    expect(load).toThrow(ConfigError);
    const unreadable = (() => {
      try {
        load();
      } catch (e) {
        return (e as ConfigError).problems[0];
      }
      return undefined;
    })();
    expect(unreadable).toMatchObject({ variable: "PLATFORM_CONFIG", value: "/missing.json", message: expect.stringContaining("cannot be read") });
  });

  test("a file that is not a JSON object is refused", () => {
    expect(problemsOf({}, "[1,2]")[0]).toMatchObject({ variable: "PLATFORM_CONFIG", message: "must contain a JSON object" });
  });
});

describe("validation", () => {
  test.each([
    ["no containers", {}, { variable: "containers (default)", message: expect.stringContaining("no containers are configured") }],
    ["duplicate names", { TF_VAR_container_name: "a,b,a" }, { variable: "TF_VAR_container_name", value: "a", message: "duplicate container name (also container 1)" }],
    ["an invalid name", { TF_VAR_container_name: "Web_1" }, { variable: "TF_VAR_container_name", value: "Web_1", message: expect.stringContaining("lowercase letters") }],
    ["an empty name", { TF_VAR_container_name: "a,,b" }, { variable: "TF_VAR_container_name", message: "value 2 is empty; every container needs a name" }],
    ["a port above 65535", { TF_VAR_container_name: "a", TF_VAR_container_port: "70000" }, { variable: "TF_VAR_container_port", value: 70000 }],
    ["port 0", { TF_VAR_container_name: "a", TF_VAR_container_port: "0" }, { variable: "TF_VAR_container_port", value: 0 }],
    ["a reserved environment name", { TF_VAR_container_name: "a", TF_VAR_env_key: "ENDPOINT" }, { variable: "TF_VAR_env_key", value: "ENDPOINT", message: expect.stringContaining("set by the platform") }],
    ["asg_min above asg_max", { TF_VAR_container_name: "a", TF_VAR_asg_min: "6" }, { variable: "TF_VAR_asg_min", value: 6, message: "must not exceed asg_max (5)" }],
    ["asg_desired outside min..max", { TF_VAR_container_name: "a", TF_VAR_asg_desired: "9" }, { variable: "TF_VAR_asg_desired", value: 9, message: "must be between asg_min (2) and asg_max (5)" }],
    ["key_name without admin_cidr_ingress", { TF_VAR_container_name: "a", TF_VAR_key_name: "ops" }, { variable: "admin_cidr_ingress (default)", message: expect.stringContaining("SSH needs both") }],
    ["a bad CIDR", { TF_VAR_container_name: "a", TF_VAR_admin_cidr_ingress: "1.2.3.4", TF_VAR_key_name: "k" }, { variable: "TF_VAR_admin_cidr_ingress", value: "1.2.3.4" }],
    ["a VPC too small for its subnets", { TF_VAR_container_name: "a", TF_VAR_cidr_block: "10.0.0.0/23" }, { variable: "TF_VAR_cidr_block", message: expect.stringContaining("too small") }],
    ["an existing VPC without subnets", { TF_VAR_container_name: "a", TF_VAR_vpc_id: "vpc-0123456789abcdef0" }, { variable: "TF_VAR_vpc_id", message: expect.stringContaining("together") }],
    ["a malformed certificate ARN", { TF_VAR_container_name: "a", TF_VAR_certificate_arn: "mycert" }, { variable: "TF_VAR_certificate_arn", value: "mycert" }],
    ["a retention CloudWatch does not offer", { TF_VAR_container_name: "a", TF_VAR_log_retention_days: "10" }, { variable: "TF_VAR_log_retention_days", value: 10, message: expect.stringContaining("1, 3, 5, 7, 14, 30") }],
    ["one availability zone", { TF_VAR_container_name: "a", TF_VAR_az_count: "1" }, { variable: "TF_VAR_az_count", value: 1 }],
    ["an unknown target", { TF_VAR_container_name: "a", TF_VAR_target: "prod" }, { variable: "TF_VAR_target", value: "prod" }],
  ])("refuses %s, naming the variable and the value", (_, env, expected) => {
    expect(problemsOf(env)).toContainEqual(expect.objectContaining(expected));
  });

  test("refuses more containers than an ALB has target groups", () => {
    const names = Array.from({ length: 101 }, (_, i) => `c${i}`).join(",");
    expect(problemsOf({ TF_VAR_container_name: names })).toContainEqual({
      variable: "TF_VAR_container_name",
      value: names,
      message: expect.stringContaining("at most 100 containers"),
    });
  });

  test("refuses two containers with the same explicit priority", () => {
    expect(problemsOf({}, { containers: [{ name: "a" }, { name: "b", priority: 5 }, { name: "c", priority: 5 }] })).toContainEqual(
      expect.objectContaining({ variable: "platform.json: containers[2].priority", value: 5 }),
    );
  });

  test("reports every problem at once, each once", () => {
    const problems = problemsOf({
      TF_VAR_container_name: "a,B,a",
      TF_VAR_container_port: "8000,99999,80",
      TF_VAR_internal_elb: "maybe",
      TF_VAR_asg_max: "1",
      TF_VAR_env_key: "ENDPOINT",
      TF_VAR_typo: "1",
    });
    expect(problems.map((p) => p.variable).sort()).toEqual(
      [
        "TF_VAR_internal_elb",
        "TF_VAR_typo",
        "TF_VAR_container_name",
        "TF_VAR_container_port (value 2 of 3, container B)",
        "TF_VAR_env_key",
        "TF_VAR_container_name",
        "asg_min (default)",
        "asg_desired (default)",
      ].sort(),
    );
  });

  test("the error message lists each problem on its own line", () => {
    expect(() => loadConfig({ TF_VAR_container_name: "a", TF_VAR_container_port: "x" })).toThrow(
      'invalid configuration (1 problem):\n  - TF_VAR_container_port = "x": must be a whole number',
    );
  });
});
