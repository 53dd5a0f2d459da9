/**
 * Docker's event stream (newline-delimited JSON, chunked at arbitrary
 * places) → container events. Pure apart from reading the stream.
 *
 * Reads `Action` and `Actor.ID`, not the deprecated `status`/`id` fields ecsd
 * relied on. A line that does not parse is skipped (ecsd issue #6).
 */
import { CONTAINER_ACTIONS, type ContainerEvent } from "../ports";

const ACTIONS: ReadonlySet<string> = new Set(CONTAINER_ACTIONS.filter((a) => a !== "health_status"));
/** Docker writes a health change as `health_status: healthy` or `health_status: unhealthy`. */
const HEALTH_STATUS = /^health_status(?::\s*(.*))?$/;

/** Yields the container events of a Docker event stream the agent cares about ({@link CONTAINER_ACTIONS}) until it ends. */
export async function* parseEventStream(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<ContainerEvent> {
  let buffered = "";
  for await (const chunk of chunks) {
    buffered += typeof chunk === "string" ? chunk : chunk.toString("utf8");
    let newline = buffered.indexOf("\n");
    while (newline >= 0) {
      const event = parseEventLine(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      if (event) yield event;
      newline = buffered.indexOf("\n");
    }
  }
  const last = parseEventLine(buffered);
  if (last) yield last;
}

/** One JSON line → a container event, or `undefined` for anything else. */
export function parseEventLine(line: string): ContainerEvent | undefined {
  if (line.trim() === "") return undefined;
  let message: { Type?: unknown; Action?: unknown; Actor?: { ID?: unknown; Attributes?: { signal?: unknown } } };
  try {
    message = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (message.Type !== "container" || typeof message.Action !== "string") return undefined;
  const health = HEALTH_STATUS.exec(message.Action);
  if (!health && !ACTIONS.has(message.Action)) return undefined;
  const id = message.Actor?.ID;
  if (typeof id !== "string" || id.length === 0) return undefined;
  if (health) return { action: "health_status", containerId: id, ...(health[1]?.trim() ? { healthStatus: health[1].trim() } : {}) };
  const signal = message.Action === "kill" ? message.Actor?.Attributes?.signal : undefined;
  return { action: message.Action as ContainerEvent["action"], containerId: id, ...(typeof signal === "string" && signal !== "" ? { signal } : {}) };
}
