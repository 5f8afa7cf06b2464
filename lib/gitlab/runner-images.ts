import { Problems, show } from '../core/errors';
import { ExternalImage } from '../openshift/external-image';
import { Platform } from '../platform/platform';
import { semver } from './_rules';
import type { GitLabRunnerOperator } from './gitlab-operator';
import type { IGitLabServer } from './gitlab-server';

/**
 * Repositories of the GitLab Runner UBI images built for OpenShift (non-root, any UID in the root
 * group). The Runner Operator's CSV runs exactly these, pinned by digest:
 * `RELATED_IMAGE_GITLAB_RUNNER` / `RELATED_IMAGE_GITLAB_RUNNER_HELPER` in
 * redhat-openshift-ecosystem/certified-operators@8ac2ccd6:operators/gitlab-runner-operator/1.48.3/manifests/gitlab-runner-operator.clusterserviceversion.yaml
 * (1.48.3 "ships with GitLab Runner v18.11.3"). The tag format (runner `v<version>`, helper
 * `<arch>-v<version>`) is the one the runner documentation uses for these repositories:
 * gitlabhq/gitlab-runner@v18.11.3:docs/install/kubernetes_helm_chart_configuration.md ("Run with
 * non-root user": `gitlab-runner-ocp:v16.11.0`, `gitlab-runner-helper-ocp:x86_64-v16.11.0`).
 */
export const RUNNER_OCP_IMAGE_REPOSITORY = 'registry.gitlab.com/gitlab-org/ci-cd/gitlab-runner-ubi-images/gitlab-runner-ocp';
/** See {@link RUNNER_OCP_IMAGE_REPOSITORY}. */
export const RUNNER_HELPER_OCP_IMAGE_REPOSITORY = 'registry.gitlab.com/gitlab-org/ci-cd/gitlab-runner-ubi-images/gitlab-runner-helper-ocp';

/** CPU architectures the Runner Operator bundle declares (`operatorframework.io/arch.*` labels of the 1.48.3 CSV). */
export type RunnerArch = 'x86_64' | 'ppc64le';

/** What {@link RunnerImages.of} takes. */
export interface RunnerImagesProps {
  /** The runner (manager) image, `spec.runnerImage`. */
  readonly runner: ExternalImage;
  /** The helper image job pods get, `spec.helperImage`. */
  readonly helper: ExternalImage;
  /**
   * GitLab Runner release of both images (`18.11.3`). Needed when an image is pinned by digest
   * (a digest says nothing about the release); when both are pinned by a tag ending in
   * `v<version>` it is read from the tags and, if given too, must agree with them.
   */
  readonly version?: string;
}

const TAG_VERSION = /(?:^|-)v(\d+\.\d+\.\d+)$/;

/**
 * The runner and helper images of a {@link GitLabRunner}, pinned, with the GitLab Runner release
 * they run. The release is what the runner's compatibility with its GitLab server is checked
 * against: GitLab asks that runner and server major.minor stay in step
 * (https://docs.gitlab.com/runner/#gitlab-runner-versions: "the GitLab Runner major.minor version
 * should stay in sync with the GitLab major and minor version").
 */
export class RunnerImages {
  /**
   * The OpenShift (UBI, non-root) images of a GitLab Runner release, by tag:
   * `gitlab-runner-ocp:v<version>` and `gitlab-runner-helper-ocp:<arch>-v<version>`.
   */
  public static openshift(version: string, arch: RunnerArch = 'x86_64'): RunnerImages {
    const p = new Problems('RunnerImages.openshift');
    p.check('version', version, semver);
    if (arch !== 'x86_64' && arch !== 'ppc64le') p.add('arch', `${show(arch)} is not an architecture the Runner Operator ships; use "x86_64" or "ppc64le"`);
    p.throwIfAny('invalid runner images');
    return new RunnerImages(
      ExternalImage.tag(RUNNER_OCP_IMAGE_REPOSITORY, `v${version}`),
      ExternalImage.tag(RUNNER_HELPER_OCP_IMAGE_REPOSITORY, `${arch}-v${version}`),
      version,
    );
  }

  /** Any pinned runner and helper images (a mirror, digests); the release is read from the tags or given. */
  public static of(props: RunnerImagesProps): RunnerImages {
    const p = new Problems('RunnerImages.of');
    if (!props || typeof props !== 'object') {
      p.add('', 'give { runner, helper, version? }');
      p.throwIfAny('invalid runner images');
    }
    const fromTag = (field: 'runner' | 'helper'): string | undefined => {
      const img = props[field];
      if (!(img instanceof ExternalImage)) {
        p.add(field, `${show(img)} must be an ExternalImage pinned by tag or digest (ExternalImage.tag(...) / ExternalImage.digest(...))`);
        return undefined;
      }
      return img.tag !== undefined ? TAG_VERSION.exec(img.tag)?.[1] : undefined;
    };
    const runnerV = fromTag('runner');
    const helperV = fromTag('helper');
    if (props.version !== undefined) p.check('version', props.version, semver);
    p.throwIfAny('invalid runner images');
    const tagged = (['runner', 'helper'] as const).filter((f) => props[f].tag !== undefined);
    for (const f of tagged) {
      const v = f === 'runner' ? runnerV : helperV;
      if (v === undefined) p.add(f, `tag "${props[f].tag}" does not end in "v<major>.<minor>.<patch>", so the GitLab Runner release is unknown; use a release tag (as the runner's own images are tagged) or a digest with \`version\``);
      else if (props.version !== undefined && v !== props.version) p.add(f, `tag "${props[f].tag}" is GitLab Runner ${v}, but version says ${props.version}`);
    }
    if (runnerV && helperV && runnerV !== helperV) p.add('helper', `helper image is GitLab Runner ${helperV} but the runner image is ${runnerV}; the helper must be the runner's own release`);
    const version = props.version ?? runnerV ?? helperV;
    if (version === undefined && tagged.length < 2) p.add('version', 'an image is pinned by digest, which does not say which GitLab Runner release it is; give `version` (for example "18.11.3")');
    p.throwIfAny('invalid runner images');
    return new RunnerImages(props.runner, props.helper, version!);
  }

  private constructor(
    /** `spec.runnerImage`. */
    public readonly runner: ExternalImage,
    /** `spec.helperImage`. */
    public readonly helper: ExternalImage,
    /** GitLab Runner release (`18.11.3`). */
    public readonly version: string,
  ) {}

  /** `18.11` */
  public get minor(): string {
    return majorMinor(this.version);
  }
}

/** `major.minor` of a semantic version. */
export function majorMinor(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

/**
 * Why a runner release and a GitLab release do not go together, or undefined when their
 * major.minor match (https://docs.gitlab.com/runner/#gitlab-runner-versions).
 */
export function runnerServerMismatch(images: RunnerImages, server: IGitLabServer): string | undefined {
  const s = majorMinor(server.gitlabVersion);
  if (images.minor === s) return undefined;
  return `GitLab Runner ${images.version} (${images.runner.reference}) does not match GitLab ${server.gitlabVersion} at ${server.url}: runner and server major.minor must stay in step (https://docs.gitlab.com/runner/#gitlab-runner-versions); use a ${s}.x runner, e.g. RunnerImages.openshift("${s}.<patch>")`;
}

/**
 * The GitLab Runner release a Runner Operator install ships (its CSV description, recorded as
 * `ships_gitlab_runner` in the platform's operator catalog), or undefined when the catalog does
 * not record it or the construct is outside a declared platform.
 */
export function runnerVersionShippedBy(operator: GitLabRunnerOperator): string | undefined {
  const csv = Platform.of(operator)?.catalog.csv(operator.packageName, operator.startingCsv);
  const v = csv?.raw.ships_gitlab_runner;
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}
