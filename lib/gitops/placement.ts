import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';

const FOLDER = Symbol.for('ocpkit.folder');

/**
 * Places an object in a named output folder of its environment (`dist/<env>/<folder>/`),
 * overriding the folder of the GitOpsApp it was defined in. Used for objects a construct owns
 * but that another Argo CD Application must sync (a tenant's Namespace, its Application).
 */
export function placeIn(obj: ApiObject, folder: string): void {
  (obj as any)[FOLDER] = folder;
}

/** The folder set by {@link placeIn}, if any. */
export function placedFolder(obj: IConstruct): string | undefined {
  return (obj as any)[FOLDER];
}
