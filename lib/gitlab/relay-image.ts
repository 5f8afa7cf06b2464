import { Problems, show } from '../core/errors';
import { ExternalImage } from '../openshift/external-image';
import { SyslogStreamDriver } from './syslog';

/**
 * The stream drivers the image built from `images/rsyslog-relay/Containerfile` ships. The
 * Containerfile installs the package of each (test/gitlab/rsyslog-image.test.ts parses it and
 * fails if this list and the file disagree).
 */
export const RELAY_IMAGE_DRIVERS: readonly SyslogStreamDriver[] = [SyslogStreamDriver.GTLS];

/** Where the relay image's Containerfile lives, for messages and the image test. */
export const RELAY_CONTAINERFILE = 'images/rsyslog-relay/Containerfile';

/**
 * The rsyslog image of a `GitLabLogRelay`, with the TLS stream drivers it is known to ship. A TLS
 * target needs an image that ships the configured driver: the rsyslog project's images ship none
 * (the driver packages are separate), so an arbitrary image is accepted only for plain TCP/UDP.
 */
export class RelayImage {
  /**
   * The image CI builds from `images/rsyslog-relay/Containerfile` (pinned by digest in
   * versions.yaml): it ships `RELAY_IMAGE_DRIVERS`.
   */
  public static derived(image: ExternalImage): RelayImage {
    RelayImage.checkImage('RelayImage.derived', image);
    return new RelayImage(image, RELAY_IMAGE_DRIVERS, true);
  }

  /**
   * Any other rsyslog image (for example `docker.io/rsyslog/rsyslog:2026-04`): no stream driver is
   * assumed, so it can only forward over plain TCP or UDP.
   */
  public static withoutTls(image: ExternalImage): RelayImage {
    RelayImage.checkImage('RelayImage.withoutTls', image);
    return new RelayImage(image, [], false);
  }

  /** An `ExternalImage` given where a `RelayImage` is expected counts as one without TLS drivers. */
  public static of(image: RelayImage | ExternalImage): RelayImage {
    return image instanceof RelayImage ? image : RelayImage.withoutTls(image);
  }

  private static checkImage(what: string, image: ExternalImage): void {
    if (!(image instanceof ExternalImage)) {
      const p = new Problems(what);
      p.add('image', `${show(image)} must be an ExternalImage pinned by version tag or digest`);
      p.throwIfAny('invalid relay image');
    }
  }

  private constructor(
    /** The pinned image. */
    public readonly image: ExternalImage,
    /** Stream drivers the image is known to ship. */
    public readonly drivers: readonly SyslogStreamDriver[],
    /** Built from this repository's Containerfile. */
    public readonly fromContainerfile: boolean,
  ) {}

  public get reference(): string {
    return this.image.reference;
  }

  /** Why this image cannot run `driver`, or undefined if it ships it. */
  public missingDriver(driver: SyslogStreamDriver): string | undefined {
    if (this.drivers.includes(driver)) return undefined;
    if (this.fromContainerfile) {
      return `the image built from ${RELAY_CONTAINERFILE} ships ${this.drivers.map((d) => `"${d}"`).join(', ') || 'no stream driver'}, not "${driver}"; install its package there and add it to RELAY_IMAGE_DRIVERS, or use one of those drivers`;
    }
    return `${this.reference} is not known to ship the "${driver}" stream driver (the rsyslog images ship none); use RelayImage.derived(<the image CI builds from ${RELAY_CONTAINERFILE}>)`;
  }
}
