// The engine resources of a scaffolded fixture's compose project (containers, network, cache
// volumes, PROJECT-pio images): removed after a test, listed to prove nothing is left.
import type Docker from 'dockerode';

export const PROJECT_LABEL = 'com.docker.compose.project';

/** Removes everything of fixture `project` (compose project = image/volume slug) from the engine; returns what could not be removed. */
export async function removeFixture(docker: Docker, project: string): Promise<string[]> {
  const problems: string[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode !== 404) problems.push(`${what}: ${(e as Error).message}`);
    }
  };
  for (const c of await docker.listContainers({ all: true })) {
    if (c.Labels?.[PROJECT_LABEL] === project || c.Image.startsWith(`${project}-pio:`)) {
      await attempt(`container ${c.Id.slice(0, 12)}`, () => docker.getContainer(c.Id).remove({ force: true, v: true }));
    }
  }
  for (const n of await docker.listNetworks()) {
    if (n.Labels?.[PROJECT_LABEL] === project || n.Name === `${project}_default`) await attempt(`network ${n.Name}`, () => docker.getNetwork(n.Id).remove());
  }
  for (const v of (await docker.listVolumes()).Volumes ?? []) {
    if (v.Labels?.[PROJECT_LABEL] === project || v.Name === `${project}-platformio` || v.Name.startsWith(`${project}-platformio-`)) {
      await attempt(`volume ${v.Name}`, () => docker.getVolume(v.Name).remove({ force: true }));
    }
  }
  for (const img of await docker.listImages({ filters: JSON.stringify({ reference: [`${project}-pio`] }) })) {
    for (const tag of img.RepoTags ?? []) if (tag.startsWith(`${project}-pio:`)) await attempt(`image ${tag}`, () => docker.getImage(tag).remove({ force: true }));
  }
  return problems;
}

/** What of fixture `project` is still on the engine. */
export async function fixtureLeft(docker: Docker, project: string): Promise<string[]> {
  const left: string[] = [];
  for (const c of await docker.listContainers({ all: true })) {
    if (c.Labels?.[PROJECT_LABEL] === project || c.Image.startsWith(`${project}-pio:`)) left.push(`container ${c.Names.join(',')}`);
  }
  for (const n of await docker.listNetworks()) if (n.Labels?.[PROJECT_LABEL] === project || n.Name === `${project}_default`) left.push(`network ${n.Name}`);
  for (const v of (await docker.listVolumes()).Volumes ?? []) {
    if (v.Labels?.[PROJECT_LABEL] === project || v.Name.startsWith(`${project}-platformio`)) left.push(`volume ${v.Name}`);
  }
  for (const img of await docker.listImages({ filters: JSON.stringify({ reference: [`${project}-pio`] }) })) left.push(`image ${(img.RepoTags ?? []).join(',')}`);
  return left;
}
