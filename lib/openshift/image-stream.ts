import { Construct } from 'constructs';
import { ImageStream as ImageStreamResource } from '../../imports/imagestream-image.openshift.io';
import { OcpkitError, Problems, show } from '../core/errors';
import { dnsLabel } from '../core/rules';
import { ExternalImage } from './external-image';

/**
 * How a ContainerApp's image changes on the cluster: one model per ContainerApp, stated in its props.
 *
 * - {@link ImageUpdates.pinned}: the image written in Git (a version tag or digest, promoted
 *   through the release train) is what runs. Nothing on the cluster rewrites it: no ImageStream,
 *   no image trigger, no Argo CD ignoreDifferences. A new image is a commit.
 * - {@link ImageUpdates.followTag}: a moving tag (`:main`, `:staging`) is imported by an
 *   ImageStream on OpenShift's schedule and an image-change trigger rolls the Deployment out when
 *   it moves, outside Git. Allowed only in clusters that say so (`ClusterProps.imageUpdates:
 *   'follow-tags'`), and the ContainerApp's objects carry a written `pinned-images` waiver.
 */
export class ImageUpdates {
  /** The image in Git is what runs (the default). */
  public static pinned(): ImageUpdates {
    return new ImageUpdates('pinned', undefined);
  }

  /**
   * Follow the image's tag as it moves: ImageStream with a scheduled import plus an image-change
   * trigger. Only in a cluster with `imageUpdates: 'follow-tags'`; the image must be a tag, not a
   * digest.
   * @param reason why this workload follows a tag (written on its objects as the `pinned-images`
   *   waiver), e.g. "built by our CI from main; staging previews every merge"
   */
  public static followTag(reason: string): ImageUpdates {
    if (typeof reason !== 'string' || reason.trim() === '') {
      throw new OcpkitError([{ path: 'ImageUpdates.followTag', field: 'reason', message: `${show(reason)} is not a reason; say why this workload may roll out images that are not in Git (it is written on its objects for reviewers)` }], 'invalid image update model');
    }
    return new ImageUpdates('follow-tag', reason.trim());
  }

  private constructor(
    /** `pinned` or `follow-tag`. */
    public readonly mode: 'pinned' | 'follow-tag',
    /** Why the tag is followed (follow-tag only). */
    public readonly reason: string | undefined,
  ) {}
}

/** Properties of {@link TrackedImageStream}. */
export interface TrackedImageStreamProps {
  /** ImageStream name. */
  readonly name: string;
  readonly namespace: string;
  /** The external image the stream tracks. */
  readonly image: ExternalImage;
}

/**
 * An ImageStream with one tag that tracks an external image and re-imports it on OpenShift's
 * import schedule, so a push of a new image under the same tag reaches the cluster. Workloads
 * create one only for {@link ImageUpdates.followTag}: a pinned image needs no stream (the
 * Deployment pulls the reference from Git directly, and there is nothing to import or trigger).
 *
 * Emits: into the folder of the app it is in, in `namespace`, an `image.openshift.io/v1`
 * ImageStream `name` with one tag (the image's tag, or `pinned` for a digest) imported from the
 * external image on a schedule (`importPolicy.scheduled`).
 * @see https://docs.openshift.com/container-platform/4.14/openshift_images/image-streams-manage.html
 */
export class TrackedImageStream extends Construct {
  public readonly streamName: string;
  /** The tag inside the stream (the image tag, or `pinned` for a digest). */
  public readonly tagName: string;

  constructor(scope: Construct, id: string, props: TrackedImageStreamProps) {
    super(scope, id);
    const p = new Problems(this.node.path);
    p.check('name', props.name, dnsLabel);
    p.check('namespace', props.namespace, dnsLabel);
    if (!(props.image instanceof ExternalImage)) p.add('image', 'must be an ExternalImage (ExternalImage.tag(...) or ExternalImage.digest(...))');
    p.throwIfAny();
    this.streamName = props.name;
    this.tagName = props.image.tag ?? 'pinned';
    new ImageStreamResource(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        lookupPolicy: { local: false },
        tags: [{
          name: this.tagName,
          from: { kind: 'DockerImage', name: props.image.reference },
          importPolicy: { scheduled: true },
          referencePolicy: { type: 'Source' },
        }],
      },
    });
  }

  /** `name:tag`, as image-change triggers refer to it. */
  public get imageStreamTag(): string {
    return `${this.streamName}:${this.tagName}`;
  }
}
