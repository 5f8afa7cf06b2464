import { Construct } from 'constructs';
import { ImageStream as ImageStreamResource } from '../../imports/imagestream-image.openshift.io';
import { Problems } from '../core/errors';
import { dnsLabel } from '../core/rules';
import { ExternalImage } from './external-image';

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
 * import schedule, so a push of a new image under the same tag reaches the cluster.
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
