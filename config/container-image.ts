import type { ContainerConfig } from "./schema";

/**
 * The container's image: its explicit `image`, else, as in the seed,
 * `registry_url + namespace + name + ":" + version_tag`. Parts are joined with
 * exactly one `/`, so `registry_url` and `namespace` work with or without a
 * trailing slash (the seed produced `...amazonaws.commicroservices/...`
 * when the slash was forgotten).
 */
export function containerImage(registryUrl: string, container: ContainerConfig): string {
  if (container.image) return container.image;
  const path = [registryUrl, container.namespace, container.name]
    .map((part) => part.replace(/^\/+|\/+$/g, ""))
    .filter((part) => part !== "")
    .join("/");
  return `${path}:${container.version_tag}`;
}
