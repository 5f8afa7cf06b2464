import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';

/** Writes a tree (relative path -> manifest object or raw text) into a fresh temporary folder. */
export function writeFiles(files: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-diff-test-'));
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, typeof content === 'string' ? content : yaml.dump(content, { noRefs: true, lineWidth: -1 }));
  }
  return dir;
}

/** A PVC manifest. */
export function pvc(name: string, spec: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): any {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'forum', ...extra },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } }, storageClassName: 'ocs-storagecluster-ceph-rbd', ...spec },
  };
}

/** A Deployment manifest with one container `web`. */
export function deployment(overrides: { replicas?: number; image?: string; annotations?: Record<string, string>; env?: unknown[]; selector?: string; containers?: unknown[] } = {}): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'forum', ...(overrides.annotations ? { annotations: overrides.annotations } : {}) },
    spec: {
      replicas: overrides.replicas ?? 2,
      selector: { matchLabels: { app: overrides.selector ?? 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: overrides.containers ?? [{ name: 'web', image: overrides.image ?? 'quay.io/forum/web:1', env: overrides.env ?? [{ name: 'A', value: '1' }] }] },
      },
    },
  };
}

/** A Velero Schedule backing up the given namespaces. */
export function schedule(namespaces: string[], extra: Record<string, unknown> = {}): any {
  return {
    apiVersion: 'velero.io/v1',
    kind: 'Schedule',
    metadata: { name: 'tenants-daily', namespace: 'openshift-adp' },
    spec: { schedule: '0 2 * * *', template: { includedNamespaces: namespaces, ttl: '720h0m0s' }, ...extra },
  };
}
