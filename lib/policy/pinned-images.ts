import { show } from '../core/errors';
import { containersOf, describe, podSpecOf } from './_pod-specs';
import type { Finding, PolicyRule } from './policy';

const DIGEST = /@sha256:[a-f0-9]{64}$/;

/**
 * What is wrong with an image reference, or undefined when it is pinned: by digest
 * (`repo@sha256:...`), or by a version tag (a tag with at least one digit, `3.3.2-1`,
 * `2024.11.3`, `v1.8`). `latest`, a missing tag and other moving words (`stable`, `main`) are not
 * pinned.
 */
export function imagePinProblem(image: unknown): string | undefined {
  const allowed = 'pin a version tag (for example "quay.io/org/app:1.8.0", with the version from the release train) or a digest ("@sha256:...")';
  if (typeof image !== 'string' || image.trim() === '') return `${show(image)} is not an image reference; ${allowed}`;
  if (DIGEST.test(image)) return undefined;
  if (image.includes('@')) return `${show(image)} has a malformed digest (want "@sha256:" and 64 hex digits); ${allowed}`;
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  if (colon <= slash) return `${show(image)} has no tag, so it means "latest"; ${allowed}`;
  const tag = image.slice(colon + 1);
  if (tag === 'latest') return `${show(image)} uses the moving tag "latest"; ${allowed}`;
  if (!/[0-9]/.test(tag)) return `${show(image)} uses the tag ${show(tag)}, which names no version; ${allowed}`;
  return undefined;
}

/**
 * `pinned-images`: every container image (pods, VM container disks, DataVolume registry imports,
 * ImageStream tags tracking an external image) is pinned by digest or version tag.
 */
export const PINNED_IMAGES: PolicyRule = {
  id: 'pinned-images',
  title: 'every container image is pinned by digest or version tag (no "latest", no missing tag)',
  check(obj): Finding[] {
    const m = obj.manifest;
    const out: Finding[] = [];
    const pod = podSpecOf(m);
    const kind = m?.kind;
    if (!pod && kind !== 'VirtualMachine' && kind !== 'DataVolume' && kind !== 'ImageStream') return out;
    const what = describe(m);
    if (pod) {
      for (const c of containersOf(pod)) {
        const msg = imagePinProblem(c.container?.image);
        if (msg) out.push({ pointer: `${c.pointer}/image`, message: `${what}: ${c.label}: ${msg}` });
      }
    }
    if (m?.kind === 'VirtualMachine' && Array.isArray(m.spec?.template?.spec?.volumes)) {
      m.spec.template.spec.volumes.forEach((v: any, i: number) => {
        if (v?.containerDisk) {
          const msg = imagePinProblem(v.containerDisk.image);
          if (msg) out.push({ pointer: `/spec/template/spec/volumes/${i}/containerDisk/image`, message: `${what}: container disk "${v.name}": ${msg}` });
        }
      });
    }
    const registryChecks: Array<[any, string]> = [];
    if (m?.kind === 'DataVolume') registryChecks.push([m.spec?.source?.registry, '/spec/source/registry/url']);
    if (m?.kind === 'VirtualMachine' && Array.isArray(m.spec?.dataVolumeTemplates)) {
      m.spec.dataVolumeTemplates.forEach((t: any, i: number) => registryChecks.push([t?.spec?.source?.registry, `/spec/dataVolumeTemplates/${i}/spec/source/registry/url`]));
    }
    for (const [reg, pointer] of registryChecks) {
      if (typeof reg?.url === 'string' && reg.url.startsWith('docker://')) {
        const msg = imagePinProblem(reg.url.slice('docker://'.length));
        if (msg) out.push({ pointer, message: `${what}: registry import: ${msg}` });
      }
    }
    if (m?.kind === 'ImageStream' && Array.isArray(m.spec?.tags)) {
      m.spec.tags.forEach((t: any, i: number) => {
        if (t?.from?.kind === 'DockerImage') {
          const msg = imagePinProblem(t.from.name);
          if (msg) out.push({ pointer: `/spec/tags/${i}/from/name`, message: `${what}: tag "${t.name}": ${msg}` });
        }
      });
    }
    return out;
  },
};
