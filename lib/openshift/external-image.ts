import { Problems, show } from '../core/errors';
import { noUrlCredentials } from '../core/rules';
import { redactSecrets } from '../core/secret-scan';

const REPOSITORY = /^[a-z0-9.-]+(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)+$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * A container image built outside the cluster (GitLab CI pushing to quay.io), pinned by a version
 * tag or a digest. `latest` and other moving tags are refused: a new image is a reviewed change.
 */
export class ExternalImage {
  /** An image pinned by tag, e.g. `ExternalImage.tag('quay.io/gnome/forum', '2024.11.3')`. */
  public static tag(repository: string, tag: string): ExternalImage {
    const p = ExternalImage.checkRepository(repository);
    if (typeof tag !== 'string' || !TAG.test(tag)) p.add('tag', `${show(tag)} is not an image tag`);
    else if (tag === 'latest') p.add('tag', '"latest" is not a pinned version; use a version tag (for example "2024.11.3") or a digest');
    p.throwIfAny('invalid image');
    return new ExternalImage(repository, tag, undefined);
  }

  /** An image pinned by digest (`sha256:...`). */
  public static digest(repository: string, digest: string): ExternalImage {
    const p = ExternalImage.checkRepository(repository);
    if (typeof digest !== 'string' || !DIGEST.test(digest)) p.add('digest', `${show(digest)} is not a sha256 digest ("sha256:" and 64 hex digits)`);
    p.throwIfAny('invalid image');
    return new ExternalImage(repository, undefined, digest);
  }

  /** Parses `repo:tag` or `repo@sha256:...`. */
  public static parse(reference: string): ExternalImage {
    const cred = noUrlCredentials(reference);
    if (cred) {
      const p = new Problems(`image ${redactSecrets(reference)}`);
      p.add('reference', `${cred.replace('the URL', 'the image reference')}; registry credentials belong in a pull Secret`);
      p.throwIfAny('invalid image');
    }
    if (typeof reference !== 'string' || reference.trim() === '') {
      const p = new Problems(`image ${show(reference)}`);
      p.add('reference', `${show(reference)} is not an image reference; write "registry/repository:version" or "registry/repository@sha256:..."`);
      p.throwIfAny('invalid image');
    }
    const at = reference.indexOf('@');
    if (at > 0) return ExternalImage.digest(reference.slice(0, at), reference.slice(at + 1));
    const colon = reference.lastIndexOf(':');
    if (colon > reference.lastIndexOf('/')) return ExternalImage.tag(reference.slice(0, colon), reference.slice(colon + 1));
    return ExternalImage.tag(reference, 'latest');
  }

  private static checkRepository(repository: string): Problems {
    const p = new Problems(`image ${typeof repository === 'string' ? redactSecrets(repository) : show(repository)}`);
    if (typeof repository !== 'string' || !REPOSITORY.test(repository)) {
      p.add('repository', `${show(repository)} is not a registry repository (for example "quay.io/gnome/forum")`);
    }
    return p;
  }

  private constructor(public readonly repository: string, public readonly tag: string | undefined, public readonly digestValue: string | undefined) {}

  /** Full pull reference. */
  public get reference(): string {
    return this.digestValue ? `${this.repository}@${this.digestValue}` : `${this.repository}:${this.tag}`;
  }

  public toString(): string {
    return this.reference;
  }
}
