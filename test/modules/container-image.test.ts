import { containerImage } from "../../config/container-image";
import type { ContainerConfig } from "../../config/schema";

const container = (fields: Partial<ContainerConfig>): ContainerConfig => ({
  name: "products",
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
  secrets: {},
  discovery: true,
  ...fields,
});

const ecr = "048844758804.dkr.ecr.us-west-2.amazonaws.com";

describe("containerImage", () => {
  test("is registry_url + namespace + name + ':' + version_tag, as in the seed", () => {
    // GIVEN / WHEN / THEN
    expect(containerImage(`${ecr}/`, container({ namespace: "microservices/", version_tag: "1.4.2" }))).toBe(
      `${ecr}/microservices/products:1.4.2`,
    );
  });

  test.each([
    [ecr, "microservices"],
    [`${ecr}/`, "microservices"],
    [ecr, "microservices/"],
    [`${ecr}/`, "/microservices/"],
    [`${ecr}//`, "microservices//"],
  ])("joins registry_url %p and namespace %p with exactly one slash", (registryUrl, namespace) => {
    // GIVEN / WHEN / THEN
    expect(containerImage(registryUrl, container({ namespace }))).toBe(`${ecr}/microservices/products:latest`);
  });

  test("with no registry and no namespace is a Docker Hub official image", () => {
    // GIVEN / WHEN / THEN
    expect(containerImage("", container({ name: "nginx", version_tag: "1.27" }))).toBe("nginx:1.27");
  });

  test("with a namespace but no registry is a Docker Hub user image", () => {
    // GIVEN / WHEN / THEN
    expect(containerImage("", container({ namespace: "acme/" }))).toBe("acme/products:latest");
  });

  test("an explicit image wins over registry, namespace, name and tag", () => {
    // GIVEN / WHEN / THEN
    expect(containerImage(`${ecr}/`, container({ namespace: "microservices/", image: "public.ecr.aws/nginx/nginx:1.27" }))).toBe(
      "public.ecr.aws/nginx/nginx:1.27",
    );
  });
});
