import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Cluster } from '../../lib/gitops/cluster';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { Quantity } from '../../lib/core/quantity';
import { SecretKey } from '../../lib/core/secret-key';
import { Tenant } from '../../lib/tenancy/tenant';
import { BackupStorage, BackupStorageProps, BucketEncryption } from '../../lib/backup';

/** A tenant with minimal props. */
export function tenant(cluster: Cluster, name: string): Tenant {
  return new Tenant(cluster, name, {
    name,
    displayName: name,
    groups: { admin: [`${name}-admins`] },
    quota: { cpu: Quantity.parse('2'), memory: Quantity.parse('4Gi'), storage: Quantity.parse('50Gi') },
  });
}

/** A PVC in a scope (a tenant's namespace by default). */
export function pvc(scope: Construct, name: string, labels?: Record<string, string>): k8s.KubePersistentVolumeClaim {
  return new k8s.KubePersistentVolumeClaim(scope, `pvc-${name}`, {
    metadata: { name, labels },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: k8s.Quantity.fromString('1Gi') } } },
  });
}

/** The platform app holding backup objects. */
export function backupApp(cluster: Cluster): GitOpsApp {
  return new GitOpsApp(cluster, 'Backup', { name: 'backup' });
}

/** Valid BackupStorage props (MinIO, SSE-S3). */
export function storageProps(over: Partial<BackupStorageProps> = {}): BackupStorageProps {
  return {
    name: 'default',
    bucket: 'community-backups',
    prefix: 'velero/test',
    region: 'us-east-1',
    endpoint: 'https://minio.example.org:9000',
    credentials: SecretKey.of('cloud-credentials', 'cloud'),
    encryption: BucketEncryption.s3Managed(),
    ...over,
  };
}

/** A BackupStorage in the backup app. */
export function storage(app: GitOpsApp, over: Partial<BackupStorageProps> = {}): BackupStorage {
  return new BackupStorage(app, 'Storage', storageProps(over));
}
