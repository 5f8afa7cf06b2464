/**
 * The bad-input corpus: every construct and data file of the reference stack, fed wrong types,
 * out-of-range numbers, malformed names, quantities, CIDRs, MACs, URLs, cron expressions,
 * duplicates, dangling references and contradictory options. Every case must be refused with an
 * OcpkitError naming the construct path or data-file entry, the field, the bad value and what is
 * allowed; never a TypeError.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject } from 'cdk8s';
import { BackupSchedule, BackupStorage, BucketEncryption, CronSchedule, GoDuration } from '../../lib/backup';
import { AcmeClusterIssuer, Dns01Solver, Issuers } from '../../lib/certs';
import { Quantity } from '../../lib/core/quantity';
import { SecretKey } from '../../lib/core/secret-key';
import { DataFile } from '../../lib/data/data-file';
import { Cluster } from '../../lib/gitops/cluster';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { ReleaseTrain } from '../../lib/gitops/release-train';
import { BondMode, BridgeNetwork, HostBridge, Ipam } from '../../lib/network';
import { CatalogSource, OperatorInstall } from '../../lib/olm';
import { ExternalImage, Route, TrackedImageStream, ContainerApp } from '../../lib/openshift';
import { Policy, SystemNamespaces } from '../../lib/policy';
import { synthesize } from '../../lib/pipeline-defaults';
import { PodSecurityLevel, readTenants, Tenant, TenantProps } from '../../lib/tenancy';
import { DiskSource, parseVmFile, VirtualMachine, VirtualMachineProps } from '../../lib/virt';
import { testCluster, validator } from '../_helpers';
import { expectRefusal, Refusal, thrown } from './_refused';

const q = { cpu: Quantity.parse('1'), memory: Quantity.parse('1Gi'), storage: Quantity.parse('1Gi') };
const tenantProps = (over: Partial<TenantProps> = {}): TenantProps => ({ name: 'forum', displayName: 'Forum', groups: { admin: ['forum-admins'] }, quota: q, ...over });
const tenant = (over: Partial<TenantProps> = {}) => new Tenant(testCluster(), 'Forum', tenantProps(over));
const app = () => new GitOpsApp(testCluster(), 'Web', { name: 'web', namespace: 'web' });
const image = () => ExternalImage.tag('quay.io/community/web', '1.0.0');
const synthOf = (c: Cluster) => synthesize(c, { validator: validator() });

/** A tenants.yaml with one entry; `entry` is YAML for the fields after name (two-space indented). */
const tenantsYaml = (entry: string, name = 'forum') =>
  `tenants:\n  - name: ${name}\n    displayName: Forum\n${entry || '    groups: { admin: [forum-admins] }\n    quota: { cpu: "1", memory: 1Gi, storage: 1Gi }\n'}`;
const GOOD_GROUPS = '    groups: { admin: [forum-admins] }\n';
const GOOD_QUOTA = '    quota: { cpu: "1", memory: 1Gi, storage: 1Gi }\n';
const readTenantsText = (text: string) => readTenants(DataFile.parse('tenants.yaml', text));

const vmYaml = (fields: string) => `vms:\n  - name: relay\n    namespace: infra-vms\n${fields}`;
const VM_BASE = '    cpu: 2\n    memory: 4Gi\n    disk: { clone: golden-images/rhel-9, size: 30Gi }\n';
const readVms = (text: string) => parseVmFile(DataFile.parse('vms.yaml', text), { networks: ['internal-network', 'public-network'] });

function versionsFile(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-trust-'));
  const file = path.join(dir, 'versions.yaml');
  fs.writeFileSync(file, text);
  return file;
}

function network() {
  const cluster = testCluster();
  const net = new GitOpsApp(cluster, 'Network', { name: 'network' });
  const bridge = new HostBridge(net, 'Internal', { bridgeName: 'br0-internal', bond: { name: 'bond0', ports: ['ens1f0', 'ens1f1'], mode: BondMode.LACP }, nodeSelector: { 'node-role.kubernetes.io/worker': '' } });
  const vms = new GitOpsApp(cluster, 'Vms', { name: 'vms', namespace: 'infra-vms' });
  const internal = new BridgeNetwork(vms, 'InternalNet', { name: 'internal-network', hostBridge: bridge });
  return { cluster, net, bridge, vms, internal };
}
const vmProps = (over: Partial<VirtualMachineProps> = {}): VirtualMachineProps => ({
  name: 'relay', cpu: 1, memory: '2Gi', rootDisk: { source: DiskSource.pvcClone({ namespace: 'golden', name: 'rhel9' }), size: '20Gi' }, ...over,
});

function backupStorage(scope: GitOpsApp) {
  return new BackupStorage(scope, 'Store', { name: 'default', bucket: 'velero-backups', region: 'us-east-1', credentials: SecretKey.of('cloud-credentials', 'cloud'), encryption: BucketEncryption.s3Managed() });
}

type Case = [string, () => unknown, Refusal];

const cases: Case[] = [
  // ---- gitops: Cluster, GitOpsApp ------------------------------------------------------------
  ['Cluster: no props at all', () => new Cluster(undefined as any), { path: 'cluster', field: 'props', value: 'undefined', allowed: /ClusterProps object \(\{ name, environment, repoUrl \}\)/ }],
  ['Cluster: malformed name', () => new Cluster({ platform: { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12' }, name: 'Community_1', environment: 'prod', repoUrl: 'https://git.example.org/a.git' }), { path: 'cluster Community_1', field: 'name', value: '"Community_1"', allowed: /DNS-1123 label/ }],
  ['Cluster: repoUrl that is not a Git URL', () => new Cluster({ platform: { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12' }, name: 'c', environment: 'prod', repoUrl: 'gitlab/infra' }), { path: 'cluster c', field: 'repoUrl', value: '"gitlab/infra"', allowed: /Git repository URL \(for example "https:/ }],
  ['Cluster: repoUrl of the wrong type', () => new Cluster({ platform: { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12' }, name: 'c', environment: 'prod', repoUrl: 42 as any }), { path: 'cluster c', field: 'repoUrl', value: '42', allowed: /Git repository URL/ }],
  ['Cluster: destinationServer over http', () => new Cluster({ platform: { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12' }, name: 'c', environment: 'prod', repoUrl: 'https://git.example.org/a.git', destinationServer: 'http://api.example.org:6443' }), { path: 'cluster c', field: 'destinationServer', value: '"http://api.example.org:6443"', allowed: /https URL/ }],
  ['Cluster: argoNamespace not a label', () => new Cluster({ platform: { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12' }, name: 'c', environment: 'prod', repoUrl: 'https://git.example.org/a.git', argoNamespace: 'Argo CD' }), { path: 'cluster c', field: 'argoNamespace', value: '"Argo CD"', allowed: /DNS-1123 label/ }],
  ['GitOpsApp: no props', () => new GitOpsApp(testCluster(), 'X', undefined as any), { path: 'X', field: 'props', value: 'undefined', allowed: /GitOpsAppProps object/ }],
  ['GitOpsApp: sync wave out of range', () => new GitOpsApp(testCluster(), 'X', { name: 'x', syncWave: 1000 }), { path: 'X', field: 'syncWave', value: '1000', allowed: /integer from -100 to 100/ }],
  ['GitOpsApp: fractional sync wave', () => new GitOpsApp(testCluster(), 'X', { name: 'x', syncWave: 2.5 }), { path: 'X', field: 'syncWave', value: '2.5', allowed: /integer from -100 to 100/ }],
  ['GitOpsApp: reserved folder name', () => new GitOpsApp(testCluster(), 'X', { name: 'root' }), { path: 'X', field: 'name', value: '"root"', allowed: /reserved for the app-of-apps/ }],
  ['GitOpsApp: duplicate name', () => { const c = testCluster(); new GitOpsApp(c, 'A', { name: 'web' }); new GitOpsApp(c, 'B', { name: 'web' }); }, { path: 'B', field: 'name', value: '"web"', allowed: /already used by A; every tenant and GitOpsApp needs its own name/ }],

  // ---- tenancy: Tenant and its parts -----------------------------------------------------------
  ['Tenant: no props', () => new Tenant(testCluster(), 'Forum', undefined as any), { path: 'Forum', field: 'props', value: 'undefined', allowed: /TenantProps object/ }],
  ['Tenant: name with upper case', () => tenant({ name: 'Forum' }), { path: 'Forum', field: 'name', value: '"Forum"', allowed: /DNS-1123 label/ }],
  ['Tenant: name longer than 63 characters', () => tenant({ name: 'a'.repeat(64) }), { path: 'Forum', field: 'name', value: `"${'a'.repeat(64)}"`, allowed: /at most 63 characters/ }],
  ['Tenant: reserved openshift- prefix', () => tenant({ name: 'openshift-forum' }), { path: 'Forum', field: 'name', value: '"openshift-forum"', allowed: /reserved by OpenShift \(openshift, kube-, default\)/ }],
  ['Tenant: empty display name', () => tenant({ displayName: ' ' }), { path: 'Forum', field: 'displayName', value: '" "', allowed: /non-empty string/ }],
  ['Tenant: unknown Pod Security level', () => tenant({ podSecurity: 'strict' as PodSecurityLevel }), { path: 'Forum', field: 'podSecurity', value: '"strict"', allowed: /one of "restricted", "baseline", "privileged"/ }],
  ['Tenant: quota given as strings', () => tenant({ quota: { cpu: '1', memory: '1Gi', storage: '1Gi' } as any }), { path: 'Forum/Quota', field: 'quota.memory', value: '"1Gi"', allowed: /must be a Quantity \(Quantity.parse/ }],
  ['Tenant: zero cpu quota', () => tenant({ quota: { ...q, cpu: Quantity.parse('0') } }), { path: 'Forum/Quota', field: 'quota.cpu', value: '0', allowed: /more than zero/ }],
  ['Tenant: pods quota out of range', () => tenant({ quota: { ...q, pods: 0 } }), { path: 'Forum/Quota', field: 'quota.pods', value: '0', allowed: /integer from 1 to 10000/ }],
  ['Tenant: fractional PVC quota', () => tenant({ quota: { ...q, persistentVolumeClaims: 2.5 } }), { path: 'Forum/Quota', field: 'quota.persistentVolumeClaims', value: '2.5', allowed: /integer from 0 to 10000/ }],
  ['Tenant: memory limit default below the request default', () => tenant({ containerDefaults: { memoryLimit: Quantity.parse('64Mi') } }), { path: 'Forum/Quota', field: 'containerDefaults.memoryLimit', value: '64Mi', allowed: /below the default memory request 128Mi/ }],
  ['Tenant: default cpu request above the whole quota (contradiction)', () => tenant({ quota: { ...q, cpu: Quantity.parse('20m') } }), { path: 'Forum/Quota', field: 'containerDefaults.cpuRequest', value: '50m', allowed: /more than the whole cpu quota 20m/ }],
  ['Tenant: container default of the wrong type', () => tenant({ containerDefaults: { cpuRequest: '100m' as any } }), { path: 'Forum/Quota', field: 'containerDefaults.cpuRequest', value: '"100m"', allowed: /must be a Quantity/ }],
  ['Tenant: no admin group', () => tenant({ groups: { edit: ['devs'] } }), { path: 'Forum/Access', field: 'groups.admin', value: '', allowed: /at least one admin group is required/ }],
  ['Tenant: group name with a slash', () => tenant({ groups: { admin: ['forum/admins'] } }), { path: 'Forum/Access', field: 'groups.admin[0]', value: '"forum/admins"', allowed: /letters, digits, '-', '_', '.', '@'/ }],
  ['Tenant: duplicate group', () => tenant({ groups: { admin: ['a', 'a'] } }), { path: 'Forum/Access', field: 'groups.admin', value: '"a"', allowed: /listed twice/ }],
  ['Tenant: groups of the wrong type', () => tenant({ groups: { admin: 'forum-admins' as any } }), { path: 'Forum/Access', field: 'groups.admin', value: '"forum-admins"', allowed: /list of group names/ }],
  ['Tenant: malformed label key', () => tenant({ labels: { 'team name': 'x' } }), { path: 'Forum', field: 'labels["team name"]', value: '"team name"', allowed: /label key \(an optional DNS prefix/ }],
  ['Tenant: label value too long', () => tenant({ labels: { team: 'x'.repeat(64) } }), { path: 'Forum', field: 'labels.team', value: '"xxxx', allowed: /at most 63/ }],
  ['Tenant: label that contradicts the tenant label', () => tenant({ labels: { 'ocpkit.io/tenant': 'other' } }), { path: 'Forum', field: 'labels.ocpkit.io/tenant', value: '', allowed: /set by Tenant itself/ }],
  ['Tenant: same name twice', () => { const c = testCluster(); new Tenant(c, 'A', tenantProps()); new Tenant(c, 'B', tenantProps()); }, { path: 'B', field: 'name', value: '"forum"', allowed: /already used by A/ }],
  ['Tenant: same construct id twice', () => { const c = testCluster(); new Tenant(c, 'Forum', tenantProps()); new Tenant(c, 'Forum', tenantProps({ name: 'wiki' })); }, { path: 'Forum', field: 'id', value: '"Forum"', allowed: /give every tenant its own id/ }],

  // ---- data files: tenants.yaml ----------------------------------------------------------------
  ['tenants.yaml: YAML syntax error', () => DataFile.parse('tenants.yaml', 'tenants:\n  - name: [forum\n'), { path: 'tenants.yaml', field: '', value: 'line 3', allowed: /YAML does not parse/ }],
  ['tenants.yaml: top level is a list', () => readTenantsText('- name: forum\n'), { path: 'tenants.yaml', field: '', value: '', allowed: /must be a YAML mapping at the top level/ }],
  ['tenants.yaml: tenants is a mapping', () => readTenantsText('tenants: { forum: {} }\n'), { path: 'tenants.yaml', field: 'tenants', value: '{"forum":{}}', allowed: /must be a list of entries/ }],
  ['tenants.yaml: entry is a string', () => readTenantsText('tenants: [forum]\n'), { path: 'tenants.yaml: tenants[0]', field: '', value: '"forum"', allowed: /entry must be a mapping/ }],
  ['tenants.yaml: name is a number', () => readTenantsText(tenantsYaml('', '42')), { path: 'tenants.yaml: tenants[0]', field: 'name', value: '42', allowed: /must be a string/ }],
  ['tenants.yaml: malformed name', () => readTenantsText(tenantsYaml('', 'Forum_Site')), { path: 'tenants.yaml: tenants[0] (Forum_Site)', field: 'name', value: '"Forum_Site"', allowed: /DNS-1123 label/ }],
  ['tenants.yaml: missing quota', () => readTenantsText(tenantsYaml(GOOD_GROUPS)), { path: 'tenants.yaml: tenants[0] (forum)', field: 'quota', value: '', allowed: /is required/ }],
  ['tenants.yaml: quantity written 8GB', () => readTenantsText(tenantsYaml(`${GOOD_GROUPS}    quota: { cpu: "1", memory: 8GB, storage: 1Gi }\n`)), { path: 'tenants.yaml: tenants[0] (forum)', field: 'quota.memory', value: '"8GB"', allowed: /write "8Gi" \(binary\) or "8G" \(decimal\)/ }],
  ['tenants.yaml: negative storage', () => readTenantsText(tenantsYaml(`${GOOD_GROUPS}    quota: { cpu: "1", memory: 1Gi, storage: -5Gi }\n`)), { path: 'tenants.yaml: tenants[0] (forum)', field: 'quota.storage', value: '"-5Gi"', allowed: /must be zero or more/ }],
  ['tenants.yaml: pods is a word', () => readTenantsText(tenantsYaml(`${GOOD_GROUPS}    quota: { cpu: "1", memory: 1Gi, storage: 1Gi, pods: ten }\n`)), { path: 'tenants.yaml: tenants[0] (forum)', field: 'quota.pods', value: '"ten"', allowed: /must be a number/ }],
  ['tenants.yaml: pods out of range', () => readTenantsText(tenantsYaml(`${GOOD_GROUPS}    quota: { cpu: "1", memory: 1Gi, storage: 1Gi, pods: 2.5 }\n`)), { path: 'tenants.yaml: tenants[0] (forum)', field: 'quota.pods', value: '2.5', allowed: /integer from 1 to 10000/ }],
  ['tenants.yaml: misspelt field', () => readTenantsText(tenantsYaml(`${GOOD_GROUPS}${GOOD_QUOTA}    podsecurity: baseline\n`)), { path: 'tenants.yaml: tenants[0] (forum)', field: 'podsecurity', value: '', allowed: /unknown field; allowed fields are name, displayName/ }],
  ['tenants.yaml: admin is a string, not a list', () => readTenantsText(tenantsYaml(`    groups: { admin: forum-admins }\n${GOOD_QUOTA}`)), { path: 'tenants.yaml: tenants[0] (forum)', field: 'groups.admin', value: '"forum-admins"', allowed: /must be a list of strings/ }],
  ['tenants.yaml: empty admin list', () => readTenantsText(tenantsYaml(`    groups: { admin: [] }\n${GOOD_QUOTA}`)), { path: 'tenants.yaml: tenants[0] (forum)', field: 'groups.admin', value: '', allowed: /at least one group/ }],
  ['tenants.yaml: network flag "yes"', () => readTenantsText(tenantsYaml(`${GOOD_GROUPS}${GOOD_QUOTA}    network: { allowMonitoring: "yes" }\n`)), { path: 'tenants.yaml: tenants[0] (forum)', field: 'network.allowMonitoring', value: '"yes"', allowed: /must be true or false/ }],
  ['tenants.yaml: unknown Pod Security level', () => readTenantsText(tenantsYaml(`${GOOD_GROUPS}${GOOD_QUOTA}    podSecurity: open\n`)), { path: 'tenants.yaml: tenants[0] (forum)', field: 'podSecurity', value: '"open"', allowed: /one of "restricted", "baseline", "privileged"/ }],
  ['tenants.yaml: duplicate tenant', () => readTenantsText(`${tenantsYaml('')}${tenantsYaml('').replace('tenants:\n', '')}`), { path: 'tenants.yaml: tenants[1] (forum)', field: 'name', value: '"forum"', allowed: /defined more than once \(first at tenants.yaml: tenants\[0\]/ }],

  // ---- data files: versions.yaml (release train) ----------------------------------------------
  ['versions.yaml: environment missing a key its sibling pins', () => ReleaseTrain.load(versionsFile('environments:\n  staging: { images.web: "quay.io/a/web:2" }\n  production: {}\n'), 'production'), { path: 'versions.yaml', field: 'environments.production', value: '"images.web"', allowed: /every environment pins the same keys/ }],
  ['versions.yaml: pin is a number', () => ReleaseTrain.load(versionsFile('environments:\n  production: { charts.gitlab: 7.6 }\n'), 'production'), { path: 'versions.yaml', field: 'environments.production.charts.gitlab', value: '7.6', allowed: /non-empty string/ }],
  ['versions.yaml: environment not in the file', () => ReleaseTrain.load(versionsFile('environments:\n  staging: { a: b }\n'), 'production'), { path: 'versions.yaml', field: 'environments', value: '"production"', allowed: /has staging/ }],
  ['versions.yaml: unpinned key asked for (dangling reference)', () => ReleaseTrain.load(versionsFile('environments:\n  production: { a: b }\n'), 'production').get('images.forum'), { path: 'versions.yaml', field: 'environments.production.images.forum', value: '', allowed: /is not pinned; add it to the release train/ }],

  // ---- data files: vms.yaml ------------------------------------------------------------------------
  ['vms.yaml: memory written 4GB', () => readVms(vmYaml('    cpu: 2\n    memory: 4GB\n    disk: { clone: golden-images/rhel-9, size: 30Gi }\n')), { path: 'vms.yaml: vms[0] (relay)', field: 'memory', value: '"4GB"', allowed: /write "4Gi"/ }],
  ['vms.yaml: cpu out of range', () => readVms(vmYaml('    cpu: 0\n    memory: 4Gi\n    disk: { clone: golden-images/rhel-9, size: 30Gi }\n')), { path: 'vms.yaml: vms[0] (relay)', field: 'cpu', value: '0', allowed: /integer from 1 to 512/ }],
  ['vms.yaml: malformed MAC address', () => readVms(vmYaml(`${VM_BASE}    networks: [{ network: internal-network, mac: "02:00:00:00:01" }]\n`)), { path: 'vms.yaml: vms[0] (relay)', field: 'networks[0].mac', value: '"02:00:00:00:01"', allowed: /six colon-separated hex pairs/ }],
  ['vms.yaml: unknown network (dangling reference)', () => readVms(`${vmYaml(VM_BASE)}    networks: [storage-network]\n`), { path: 'vms.yaml: vms[0] (relay)', field: 'networks[0]', value: '"storage-network"', allowed: /internal-network, public-network/ }],
  ['vms.yaml: disk URL that is not http(s)', () => readVms(vmYaml('    cpu: 2\n    memory: 4Gi\n    disk: { http: "ftp://images.example.org/rhel.qcow2", size: 30Gi }\n')), { path: 'vms.yaml: vms[0] (relay)', field: 'disk.http', value: '"ftp://images.example.org/rhel.qcow2"', allowed: /not an http\(s\) URL/ }],

  // ---- openshift: images, image streams, Routes, Workloads ---------------------------------------
  ['ExternalImage: no tag means latest', () => ExternalImage.parse('quay.io/community/web'), { path: 'image quay.io/community/web', field: 'tag', value: '"latest"', allowed: /use a version tag .* or a digest/ }],
  ['ExternalImage: reference of the wrong type', () => ExternalImage.parse(null as any), { path: 'image null', field: 'reference', value: 'null', allowed: /"registry\/repository:version"/ }],
  ['ExternalImage: short digest', () => ExternalImage.digest('quay.io/community/web', 'sha256:abc'), { path: 'image quay.io/community/web', field: 'digest', value: '"sha256:abc"', allowed: /"sha256:" and 64 hex digits/ }],
  ['ExternalImage: upper-case repository', () => ExternalImage.tag('Quay.io/Community/Web', '1.0'), { path: 'image Quay.io/Community/Web', field: 'repository', value: '"Quay.io/Community/Web"', allowed: /registry repository \(for example "quay.io\/gnome\/forum"\)/ }],
  ['TrackedImageStream: malformed namespace', () => new TrackedImageStream(app(), 'Stream', { name: 'web', namespace: 'Web NS', image: image() }), { path: 'Web/Stream', field: 'namespace', value: '"Web NS"', allowed: /DNS-1123 label/ }],
  ['Route: URL where a host name belongs', () => new Route(app(), 'R', { name: 'web', namespace: 'web', host: 'https://web.example.org', issuer: Issuers.clusterIssuer('letsencrypt'), target: { serviceName: 'web', portName: 'http' } }), { path: 'Web/R', field: 'host', value: '"https://web.example.org"', allowed: /DNS host name/ }],
  ['Route: no target', () => new Route(app(), 'R', { name: 'web', namespace: 'web', host: 'web.example.org', issuer: Issuers.clusterIssuer('letsencrypt') } as any), { path: 'Web/R', field: 'target', value: 'undefined', allowed: /pass a ContainerApp/ }],
  ['Route: path without a leading slash', () => new Route(app(), 'R', { name: 'web', namespace: 'web', host: 'web.example.org', issuer: Issuers.clusterIssuer('letsencrypt'), target: { serviceName: 'web', portName: 'http' }, path: 'api' }), { path: 'Web/R', field: 'path', value: '"api"', allowed: /must start with "\/"/ }],
  ['ContainerApp: no props', () => new ContainerApp(app(), 'W', undefined as any), { path: 'Web/W', field: 'props', value: 'undefined', allowed: /ContainerAppProps object/ }],
  ['ContainerApp: image as a string', () => new ContainerApp(app(), 'W', { name: 'web', image: 'quay.io/a/web:1' as any }), { path: 'Web/W', field: 'image', value: '', allowed: /must be an ExternalImage/ }],
  ['ContainerApp: port out of range', () => new ContainerApp(app(), 'W', { name: 'web', image: image(), portNumber: 70000 }), { path: 'Web/W', field: 'portNumber', value: '70000', allowed: /integer from 1 to 65535/ }],
  ['ContainerApp: replicas as a string', () => new ContainerApp(app(), 'W', { name: 'web', image: image(), replicas: '2' as any }), { path: 'Web/W', field: 'replicas', value: '"2"', allowed: /integer from 0 to 100/ }],
  ['ContainerApp: health path of the wrong type', () => new ContainerApp(app(), 'W', { name: 'web', image: image(), healthPath: 8080 as any }), { path: 'Web/W', field: 'healthPath', value: '8080', allowed: /must start with "\/"/ }],
  ['ContainerApp: numeric environment value', () => new ContainerApp(app(), 'W', { name: 'web', image: image(), env: { PORT: 8080 as any } }), { path: 'Web/W', field: 'env.PORT', value: '8080', allowed: /must be a string; quote numbers/ }],
  ['ContainerApp: malformed environment name', () => new ContainerApp(app(), 'W', { name: 'web', image: image(), env: { 'DB-HOST': 'x' } }), { path: 'Web/W', field: 'env.DB-HOST', value: '', allowed: /letters, digits and "_"/ }],
  ['ContainerApp: outside any namespace', () => new ContainerApp(new GitOpsApp(testCluster(), 'P', { name: 'p' }), 'W', { name: 'web', image: image() }), { path: 'P/W', field: 'namespace', value: '', allowed: /inside a Tenant or a GitOpsApp with a namespace/ }],

  // ---- certs ------------------------------------------------------------------------------------------
  ['Issuers.clusterIssuer: malformed name', () => Issuers.clusterIssuer('Lets Encrypt'), { path: 'ClusterIssuer Lets Encrypt', field: 'name', value: '"Lets Encrypt"', allowed: /DNS-1123 subdomain/ }],
  ['AcmeClusterIssuer: malformed e-mail', () => new AcmeClusterIssuer(app(), 'Acme', { name: 'le', email: 'infra-at-example.org', dns01: Dns01Solver.cloudflare({ apiToken: SecretKey.of('cf', 'token') }) }), { path: 'Web/Acme', field: 'email', value: '"infra-at-example.org"', allowed: /e-mail address/ }],
  ['AcmeClusterIssuer: ACME server over http', () => new AcmeClusterIssuer(app(), 'Acme', { name: 'le', email: 'a@example.org', server: 'http://acme.example.org/directory', dns01: Dns01Solver.cloudflare({ apiToken: SecretKey.of('cf', 'token') }) }), { path: 'Web/Acme', field: 'server', value: '"http://acme.example.org/directory"', allowed: /https URL/ }],
  ['AcmeClusterIssuer: DNS zone that is not a host name', () => new AcmeClusterIssuer(app(), 'Acme', { name: 'le', email: 'a@example.org', dnsZones: ['*.example.org'], dns01: Dns01Solver.cloudflare({ apiToken: SecretKey.of('cf', 'token') }) }), { path: 'Web/Acme', field: 'dnsZones[0]', value: '"*.example.org"', allowed: /DNS host name/ }],
  ['Dns01Solver.rfc2136: TSIG secret missing', () => Dns01Solver.rfc2136({ nameserver: 'ns1.example.org:53', tsigKeyName: 'k' } as any), { path: 'Dns01Solver.rfc2136', field: 'tsigSecret', value: 'undefined', allowed: /SecretKey.of\(secretName, key\)/ }],
  ['Dns01Solver.rfc2136: unsupported TSIG algorithm', () => Dns01Solver.rfc2136({ nameserver: 'ns1.example.org:53', tsigKeyName: 'k', tsigSecret: SecretKey.of('tsig', 'secret'), tsigAlgorithm: 'HMACMD5' as any }), { path: 'Dns01Solver.rfc2136', field: 'tsigAlgorithm', value: '"HMACMD5"', allowed: /one of "HMACSHA256", "HMACSHA512"/ }],
  ['Dns01Solver.rfc2136: name server with a URL scheme', () => Dns01Solver.rfc2136({ nameserver: 'dns://ns1.example.org', tsigKeyName: 'k', tsigSecret: SecretKey.of('tsig', 'secret') }), { path: 'Dns01Solver.rfc2136', field: 'nameserver', value: '"dns://ns1.example.org"', allowed: /"host:port"/ }],
  ['SecretKey: malformed key', () => SecretKey.of('db', 'pass word'), { path: 'SecretKey db', field: 'key', value: '"pass word"', allowed: /letters, digits, '-', '_', '.'/ }],

  // ---- core ------------------------------------------------------------------------------------------
  ['Quantity: 512mb', () => Quantity.parse('512mb'), { path: 'quantity', field: '', value: '"512mb"', allowed: /write "512Mi" \(binary\)/ }],
  ['Quantity: space inside', () => Quantity.parse('2 Gi'), { path: 'quantity', field: '', value: '"2 Gi"', allowed: /for example "500m"/ }],

  // ---- olm ----------------------------------------------------------------------------------------------
  ['OperatorInstall: malformed namespace', () => new OperatorInstall(new GitOpsApp(testCluster(), 'Ops', { name: 'operators' }), 'Op', { packageName: 'gitlab-operator-kubernetes', namespace: 'GitLab', channel: 'stable', startingCsv: 'gitlab-operator-kubernetes.v1.2.0' }), { path: 'Ops/Op', field: 'namespace', value: '"GitLab"', allowed: /DNS-1123 label/ }],
  ['CatalogSource.of: malformed name', () => CatalogSource.of('My Catalog'), { path: 'CatalogSource My Catalog', field: 'name', value: '"My Catalog"', allowed: /DNS-1123 subdomain/ }],

  // ---- network -------------------------------------------------------------------------------------------
  ['HostBridge: MTU out of range', () => { const { net } = network(); new HostBridge(net, 'Public', { bridgeName: 'br1-public', mtu: 100000, bond: { name: 'bond1', ports: ['eno1', 'eno2'] }, nodeSelector: { 'node-role.kubernetes.io/worker': '' } }); }, { path: 'Network/Public', field: 'mtu', value: '100000', allowed: /integer from 576 to 9216/ }],
  ['HostBridge: same NIC in two bonds (contradiction)', () => { const { net } = network(); new HostBridge(net, 'Public', { bridgeName: 'br1-public', bond: { name: 'bond1', ports: ['ens1f0', 'eno2'] }, nodeSelector: { 'node-role.kubernetes.io/worker': '' } }); synthOf(net.cluster); }, { path: 'Network/Public', field: 'bond.ports', value: '"ens1f0"', allowed: /a NIC can belong to one bond only/ }],
  ['BridgeNetwork: VLAN out of range', () => { const { vms, bridge } = network(); new BridgeNetwork(vms, 'Storage', { name: 'storage', hostBridge: bridge, vlan: 5000 }); }, { path: 'Vms/Storage', field: 'vlan', value: '5000', allowed: /integer from 1 to 4094/ }],
  ['Ipam.whereabouts: malformed CIDR', () => { const { vms, bridge } = network(); new BridgeNetwork(vms, 'Storage', { name: 'storage', hostBridge: bridge, ipam: Ipam.whereabouts({ range: '10.0.0.0/33' }) }); }, { path: 'Vms/Storage', field: 'ipam.range', value: '"10.0.0.0/33"', allowed: /address and a prefix length such as "192.0.2.0\/24"/ }],

  // ---- virt ---------------------------------------------------------------------------------------------------
  ['VirtualMachine: malformed MAC', () => { const { vms, internal } = network(); new VirtualMachine(vms, 'Relay', vmProps({ networks: [{ network: internal, macAddress: '02-00-00-00-00-01' }] })); }, { path: 'Vms/Relay', field: 'networks[0].macAddress', value: '"02-00-00-00-00-01"', allowed: /six colon-separated hex pairs/ }],
  ['VirtualMachine: memory written 2GB', () => { const { vms } = network(); new VirtualMachine(vms, 'Relay', vmProps({ memory: '2GB' })); }, { path: 'Vms/Relay', field: 'memory', value: '"2GB"', allowed: /write "2Gi"/ }],
  ['VirtualMachine: both cpu and instancetype missing', () => { const { vms } = network(); new VirtualMachine(vms, 'Relay', vmProps({ cpu: undefined, memory: undefined })); }, { path: 'Vms/Relay', field: 'cpu', value: '', allowed: /is required .* unless an instancetype is given/ }],
  ['DiskSource.httpImage: URL that is not http(s)', () => { const { vms } = network(); new VirtualMachine(vms, 'Relay', vmProps({ rootDisk: { source: DiskSource.httpImage('file:///images/rhel.qcow2'), size: '20Gi' } })); }, { path: 'Vms/Relay', field: 'rootDisk.source.url', value: '"file:///images/rhel.qcow2"', allowed: /not an http\(s\) URL/ }],

  // ---- backup ---------------------------------------------------------------------------------------------------
  ['BackupSchedule: cron with six fields', () => { const c = testCluster(); const b = new GitOpsApp(c, 'Backup', { name: 'backup' }); new BackupSchedule(b, 'Daily', { name: 'daily', schedule: CronSchedule.expression('0 0 2 * * *'), storage: backupStorage(b) }); }, { path: 'Backup/Daily', field: 'schedule', value: '"0 0 2 * * *"', allowed: /has 6 fields; a cron schedule has five: minute hour day-of-month month day-of-week/ }],
  ['BackupSchedule: hour 25', () => { const c = testCluster(); const b = new GitOpsApp(c, 'Backup', { name: 'backup' }); new BackupSchedule(b, 'Daily', { name: 'daily', schedule: CronSchedule.daily({ hour: 25 }), storage: backupStorage(b) }); }, { path: 'Backup/Daily', field: 'schedule', value: '"25"', allowed: /out of range; allowed: 0-23/ }],
  ['BackupSchedule: TTL in days written "30d"', () => { const c = testCluster(); const b = new GitOpsApp(c, 'Backup', { name: 'backup' }); new BackupSchedule(b, 'Daily', { name: 'daily', schedule: CronSchedule.daily({ hour: 2 }), storage: backupStorage(b), ttl: GoDuration.fromString('30d') }); }, { path: 'Backup/Daily', field: 'ttl', value: '"30d"', allowed: /write "720h"/ }],
  ['BackupStorage: bucket name with upper case', () => { const b = new GitOpsApp(testCluster(), 'Backup', { name: 'backup' }); new BackupStorage(b, 'Store', { name: 'default', bucket: 'Velero_Backups', credentials: SecretKey.of('cloud-credentials', 'cloud'), encryption: BucketEncryption.s3Managed() }); }, { path: 'Backup/Store', field: 'bucket', value: '"Velero_Backups"', allowed: /S3 naming rules/ }],
  ['BackupStorage: endpoint with a path', () => { const b = new GitOpsApp(testCluster(), 'Backup', { name: 'backup' }); new BackupStorage(b, 'Store', { name: 'default', bucket: 'velero', region: 'us-east-1', endpoint: 'https://minio.example.org/velero', credentials: SecretKey.of('cloud-credentials', 'cloud'), encryption: BucketEncryption.s3Managed() }); }, { path: 'Backup/Store', field: 'endpoint', value: '"https://minio.example.org/velero"', allowed: /the bucket goes in "bucket"/ }],
  ['BackupStorage: custom endpoint without region (contradiction)', () => { const b = new GitOpsApp(testCluster(), 'Backup', { name: 'backup' }); new BackupStorage(b, 'Store', { name: 'default', bucket: 'velero', endpoint: 'https://minio.example.org', credentials: SecretKey.of('cloud-credentials', 'cloud'), encryption: BucketEncryption.s3Managed() }); }, { path: 'Backup/Store', field: 'region', value: '', allowed: /needs a region/ }],

  // ---- policy API ----------------------------------------------------------------------------------------------
  ['Policy.waive: empty reason', () => { const t = tenant(); Policy.waive(t, 'pinned-images', ''); }, { path: 'Forum', field: 'reason', value: '""', allowed: /needs a written reason/ }],
  ['Policy.waive: unknown policy', () => { const t = tenant(); Policy.waive(t, 'no-latest', 'because'); }, { path: 'Forum', field: 'policyId', value: '"no-latest"', allowed: /use one of "cdi-clone-network", "confined-projects"/ }],
  ['SystemNamespaces.declare: malformed namespace', () => SystemNamespaces.declare(testCluster(), 'etcd backup', 'snapshots'), { path: '', field: 'namespace', value: '"etcd backup"', allowed: /DNS-1123 label/ }],

  // ---- synth-time: schema and policy -----------------------------------------------------------------------------
  ['synth: a literal Secret is refused', () => { const t = tenant(); new ApiObject(t, 'Db', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { password: 'x' } }); synthOf(t.cluster); }, { path: 'Forum/Db', field: '/stringData', value: '"password"', allowed: /reference the Secret with SecretKey.of/ }],
  ['synth: a field the schema does not know', () => { const t = tenant(); new ApiObject(t, 'Cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, dataa: { a: 'b' } }); synthOf(t.cluster); }, { path: 'Forum/Cm', field: '/', value: '"dataa"', allowed: /not in the schema; the API server would drop it/ }],
];

describe('bad-input corpus', () => {
  test('has at least 60 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
    expect(new Set(cases.map((c) => c[0])).size).toBe(cases.length);
  });

  test.each(cases)('%s', (_name, run, refusal) => {
    const err = thrown(run);
    if (process.env.SHOW_REFUSALS) process.stderr.write(`${_name}\n   ${(err as Error).message.replace(/\n/g, '\n   ')}\n`);
    expect(err).not.toBeInstanceOf(TypeError);
    expectRefusal(err, refusal);
  });
});
