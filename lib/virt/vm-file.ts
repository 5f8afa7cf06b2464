import { OcpkitError, Problem, show } from '../core/errors';
import { dnsLabel, duplicates, httpUrl, oneOf } from '../core/rules';
import { SecretKey } from '../core/secret-key';
import { DataEntry, DataFile } from '../data/data-file';
import { macAddress } from '../network/_rules';
import { CloudInit, ConsoleLogin, SshAuthorizedKeys, YumRepo } from './cloud-init';
import { GuestAddress } from './guest-network';
import { VmReadiness } from './vm-service';
import { AccessMode, DiskSource, OPENSHIFT_BOOT_SOURCES, OpenShiftBootSource } from './disk-source';
import { ClusterInstancetype, ClusterPreference } from './instancetype';
import { dataDiskName, guestMemoryProblem, limit, portName, portProtocol, storageClassName } from './_vm-rules';
import { DataDiskOptions, EvictionStrategy, RunStrategy, VirtualMachineProps, VmPort } from './virtual-machine';

/** One VM of a data file, with its networks still named (the stack resolves them). */
export interface VmFileEntry {
  /** `vms.yaml: vms[3] (bastion)`: where the entry is, for error messages. */
  readonly where: string;
  /** Namespace of the VM. */
  readonly namespace: string;
  /** Props for {@link VirtualMachine}, without networks. */
  readonly props: VirtualMachineProps;
  /** Bridge networks by NetworkAttachmentDefinition name, in interface order, with their MAC and address. */
  readonly networks: readonly VmFileNetwork[];
}

/** One bridge interface of a data-file VM. */
export interface VmFileNetwork {
  readonly network: string;
  readonly macAddress?: string;
  readonly address?: GuestAddress;
  readonly guestName?: string;
}

/** Options of {@link loadVmFile}. */
export interface LoadVmFileOptions {
  /**
   * Resolves `${key}` references in string values (e.g. image URLs pinned in the release train).
   * @default references are left as written
   */
  readonly resolve?: (key: string) => string | undefined;
  /** Network names entries may use; anything else is reported. @default any name */
  readonly networks?: readonly string[];
  /** Namespace of entries that give none. @default namespace is required */
  readonly defaultNamespace?: string;
  /** StorageClass of disks that name none. @default the cluster's default StorageClass */
  readonly defaultStorageClass?: string;
  /**
   * The environment the file is read for: a value written as a map keyed by environment
   * (`address: { production: 192.0.2.10/24, staging: 192.0.2.110/24 }`, also `mac`) takes this
   * environment's entry.
   * @default per-environment maps are refused
   */
  readonly environment?: string;
}

const ENTRY_FIELDS = ['name', 'namespace', 'cpu', 'memory', 'instancetype', 'preference', 'runStrategy', 'disk', 'dataDisks', 'networks', 'podNetwork', 'ports', 'readiness', 'cloudInit', 'labels', 'evictionStrategy', 'description'];
const DISK_KINDS = ['clone', 'bootSource', 'dataSource', 'http', 'iso', 'registry', 'pvc', 'blank'];
const NETWORK_FIELDS = ['network', 'mac', 'address', 'gateway', 'dns', 'search', 'guestName'];
const ACCESS: Record<string, AccessMode> = { RWX: AccessMode.READ_WRITE_MANY, RWO: AccessMode.READ_WRITE_ONCE };

/**
 * Reads a VM list (`vms.yaml`): every bad entry is reported, one line per problem naming the
 * file, the entry and the field, before any construct is built.
 *
 * ```yaml
 * vms:
 *   - name: bastion
 *     namespace: infra-vms
 *     cpu: 2
 *     memory: 4Gi
 *     disk: { bootSource: rhel9, size: 30Gi }   # or clone/dataSource: ns/name, http/iso/registry, pvc: claim (moveToRwx: true)
 *     networks:
 *       - { network: public-network, address: 192.0.2.10/24, gateway: 192.0.2.1, dns: [192.0.2.53] }
 *       - { network: internal-network, address: dhcp, mac: "02:00:00:00:01:01" }   # or address: none
 *     ports: [{ name: ssh, port: 22 }]
 *     readiness: { tcp: 22 }                   # or { exec: [...] }, guestAgentPing, none; default: first TCP port
 *     cloudInit: { users: [ops], sshKeysSecret: ops-ssh-keys, packages: [tmux], yumRepos: [{ id, baseUrl }] }
 * ```
 */
export function loadVmFile(file: string, options: LoadVmFileOptions = {}): VmFileEntry[] {
  return parseVmFile(DataFile.load(file, { resolve: options.resolve }), options);
}

/** Same as {@link loadVmFile} over an already parsed file (tests). */
export function parseVmFile(data: DataFile, options: LoadVmFileOptions = {}): VmFileEntry[] {
  const extra: Problem[] = [];
  const out: VmFileEntry[] = [];
  const entries = data.list('vms');
  for (const e of entries) {
    const before = data.allProblems.length + extra.length;
    const rep = (field: string, message: string) => extra.push({ path: e.where, field, message });
    e.allowOnly(ENTRY_FIELDS);
    const name = e.string('name', { rule: dnsLabel });
    const namespace = e.string('namespace', { optional: options.defaultNamespace !== undefined, rule: dnsLabel }) ?? options.defaultNamespace;
    const raw = rawOf(e);

    // Size.
    let cpu: VirtualMachineProps['cpu'];
    if (typeof raw.cpu === 'number') cpu = e.number('cpu', { rule: limit('cpu') });
    else if (raw.cpu !== undefined) {
      const c = e.object('cpu');
      if (c) {
        c.allowOnly(['cores', 'sockets', 'threads']);
        cpu = { cores: c.number('cores', { rule: limit('cores') }) ?? 1, sockets: c.number('sockets', { optional: true, rule: limit('sockets') }), threads: c.number('threads', { optional: true, rule: limit('threads') }) };
      }
    }
    const it = e.string('instancetype', { optional: true });
    if (it !== undefined && (raw.cpu !== undefined || raw.memory !== undefined)) rep('instancetype', 'cannot be combined with cpu/memory; give either an instancetype or cpu and memory');
    if (it === undefined && raw.cpu === undefined) rep('cpu', 'is required (a number of cores) unless an instancetype is given');
    const memory = raw.memory !== undefined || it === undefined ? e.quantity('memory') : undefined;
    const small = memory && guestMemoryProblem(memory.value, raw.memory);
    if (small) rep('memory', small);
    const pref = e.string('preference', { optional: true });
    const runStrategy = e.string('runStrategy', { optional: true, rule: oneOf(Object.values(RunStrategy)) }) as RunStrategy | undefined;
    const evictionStrategy = e.string('evictionStrategy', { optional: true, rule: oneOf(Object.values(EvictionStrategy)) }) as EvictionStrategy | undefined;
    const podNetwork = e.boolean('podNetwork', { optional: true });

    // Root disk.
    const diskEntry = e.object('disk');
    let rootDisk: VirtualMachineProps['rootDisk'] | undefined;
    if (diskEntry) {
      const d = readDisk(diskEntry, rawOf(diskEntry), 'disk', rep, true, options.defaultStorageClass);
      if (d) rootDisk = d;
    }
    // Data disks.
    const dataDisks: DataDiskOptions[] = [];
    listOf(raw, 'dataDisks', rep).forEach((item, i) => {
      const f = `dataDisks[${i}]`;
      const sub = nested(e, item, f, extra);
      if (!sub) { rep(f, `must be a mapping, got ${show(item)}`); return; }
      const diskName = sub.string('name', { rule: (v) => dnsLabel(v) ?? dataDiskName(v) });
      const d = readDisk(sub, item, f, rep, false, options.defaultStorageClass);
      if (diskName && d) dataDisks.push({ ...d, name: diskName });
    });
    for (const d of duplicates(dataDisks.map((x) => x.name))) rep('dataDisks', `disk "${d}" is listed twice`);

    // Networks.
    const networks: VmFileNetwork[] = [];
    listOf(raw, 'networks', rep).forEach((item, i) => {
      const f = `networks[${i}]`;
      let net: string | undefined;
      let mac: string | undefined;
      let address: GuestAddress | undefined;
      let guestName: string | undefined;
      if (typeof item === 'string') net = item;
      else if (item && typeof item === 'object' && !Array.isArray(item)) {
        net = item.network;
        for (const k of Object.keys(item)) if (!NETWORK_FIELDS.includes(k)) rep(`${f}.${k}`, `unknown field; allowed fields are ${NETWORK_FIELDS.join(', ')}`);
        mac = perEnvironment(item.mac, `${f}.mac`, options.environment, rep);
        if (mac !== undefined) {
          const m = macAddress(mac);
          if (m) rep(`${f}.mac`, m);
        }
        address = readAddress(item, f, options.environment, rep);
        if (item.guestName !== undefined) {
          if (typeof item.guestName !== 'string') rep(`${f}.guestName`, `${show(item.guestName)} must be a string`);
          else guestName = item.guestName;
        }
      } else { rep(f, `must be a network name or { network, mac, address }, got ${show(item)}`); return; }
      if (typeof net !== 'string' || dnsLabel(net)) { rep(`${f}`, `${show(net)} is not a network name`); return; }
      if (options.networks && !options.networks.includes(net)) { rep(f, `unknown network "${net}"; known networks are ${options.networks.join(', ')}`); return; }
      networks.push({ network: net, macAddress: mac, address, guestName });
    });
    for (const d of duplicates(networks.map((n) => n.network))) rep('networks', `network "${d}" is listed twice; a VM needs one interface per network`);

    // Readiness.
    const readiness = readReadiness(raw.readiness, rep);

    // Ports.
    const ports: VmPort[] = [];
    listOf(raw, 'ports', rep).forEach((item, i) => {
      const f = `ports[${i}]`;
      const sub = nested(e, item, f, extra);
      if (!sub) { rep(f, `must be a mapping { name, port }, got ${show(item)}`); return; }
      sub.allowOnly(['name', 'port', 'targetPort', 'protocol']);
      const pn = sub.string('name', { rule: portName });
      const pp = sub.number('port', { rule: limit('port') });
      const tp = sub.number('targetPort', { optional: true, rule: limit('port') });
      const proto = sub.string('protocol', { optional: true, rule: portProtocol }) as VmPort['protocol'];
      if (pn && pp) ports.push({ name: pn, port: pp, targetPort: tp, protocol: proto });
    });

    // Cloud-init.
    let cloudInit: CloudInit | undefined;
    const ci = e.object('cloudInit', { optional: true });
    if (ci) {
      ci.allowOnly(['users', 'sshKeysSecret', 'packages', 'runCommands', 'userDataSecret', 'hostname', 'fqdn', 'timezone', 'yumRepos', 'consoleLogin']);
      const ciRaw = rawOf(ci);
      const secret = ci.string('userDataSecret', { optional: true, rule: dnsLabel });
      if (secret) {
        if (Object.keys(ciRaw).length > 1) ci.report('userDataSecret', 'user data from a Secret cannot be combined with typed cloud-init fields');
        cloudInit = CloudInit.fromSecret(SecretKey.of(secret, 'userdata'));
      } else {
        const users = ci.stringList('users', { optional: true }) ?? [];
        const keys = ci.string('sshKeysSecret', { optional: true, rule: dnsLabel });
        cloudInit = CloudInit.build({
          hostname: ci.string('hostname', { optional: true }),
          fqdn: ci.string('fqdn', { optional: true }),
          timezone: ci.string('timezone', { optional: true }),
          users: users.map((u) => ({ name: u, sudo: true, groups: ['wheel'] })),
          sshAuthorizedKeys: keys ? SshAuthorizedKeys.fromSecret(keys) : undefined,
          packages: ci.stringList('packages', { optional: true }),
          runCommands: ci.stringList('runCommands', { optional: true }),
          yumRepos: readYumRepos(ciRaw.yumRepos, 'cloudInit.yumRepos', rep),
          consoleLogin: readConsoleLogin(ciRaw.consoleLogin, 'cloudInit.consoleLogin', rep),
        });
      }
    }

    const labels = e.object('labels', { optional: true });
    const labelMap: Record<string, string> = {};
    if (labels) {
      for (const [k, v] of Object.entries(rawOf(labels))) {
        if (typeof v !== 'string') labels.report(k, `must be a string, got ${show(v)}`);
        else labelMap[k] = v;
      }
    }
    const description = e.string('description', { optional: true });

    if (data.allProblems.length + extra.length > before || !name || !namespace || !rootDisk) continue;
    out.push({
      where: e.where,
      namespace,
      networks,
      props: {
        name,
        namespace,
        cpu: it ? undefined : cpu,
        memory: it ? undefined : memory,
        instancetype: it ? ClusterInstancetype.fromName(it) : undefined,
        preference: pref ? ClusterPreference.fromName(pref) : undefined,
        runStrategy,
        evictionStrategy,
        podNetwork,
        rootDisk,
        dataDisks,
        ports,
        readiness,
        cloudInit,
        labels: Object.keys(labelMap).length ? labelMap : undefined,
        annotations: description ? { description } : undefined,
      },
    });
  }
  const seen = new Map<string, string>();
  for (const v of out) {
    const key = `${v.namespace}/${v.props.name}`;
    if (seen.has(key)) extra.push({ path: v.where, field: 'name', message: `VM "${key}" is also defined at ${seen.get(key)}` });
    else seen.set(key, v.where);
  }
  const all = [...data.allProblems, ...extra];
  if (all.length) throw new OcpkitError(all, `${data.name} has ${all.length} problem${all.length === 1 ? '' : 's'}`);
  return out;
}

function rawOf(e: DataEntry): Record<string, any> {
  return e.raw as Record<string, any>;
}

function listOf(raw: Record<string, any>, field: string, rep: (f: string, m: string) => void): any[] {
  const v = raw[field];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    rep(field, `must be a list, got ${show(v)}`);
    return [];
  }
  return v;
}

function nested(e: DataEntry, item: unknown, field: string, sink: Problem[]): DataEntry | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return undefined;
  return new DataEntry(e.where, item, sink, `${field}.`);
}

function readDisk(d: DataEntry, raw: Record<string, any>, field: string, rep: (f: string, m: string) => void, root: boolean, defaultStorageClass?: string): { source: DiskSource; size?: string; storageClass?: string; accessMode?: AccessMode; moveToReadWriteMany?: boolean } | undefined {
  d.allowOnly([...DISK_KINDS, 'size', 'storageClass', 'access', 'isoSize', 'moveToRwx', ...(root ? [] : ['name'])]);
  const kinds = DISK_KINDS.filter((k) => raw[k] !== undefined);
  if (kinds.length !== 1 && !(kinds.length === 0 && !root)) {
    rep(field, `give exactly one source of ${DISK_KINDS.join(', ')}${kinds.length ? ` (got ${kinds.join(', ')})` : ''}`);
    return undefined;
  }
  const size = raw.size !== undefined ? d.quantity('size')?.toString() : undefined;
  const storageClass = d.string('storageClass', { optional: true, rule: storageClassName }) ?? defaultStorageClass;
  const access = d.string('access', { optional: true, rule: oneOf(Object.keys(ACCESS)) });
  const accessMode = access ? ACCESS[access] : undefined;
  let source: DiskSource | undefined;
  const kind = kinds[0] ?? 'blank';
  switch (kind) {
    case 'clone': {
      const ref = d.string('clone');
      const m = typeof ref === 'string' ? /^([^/]+)\/([^/]+)$/.exec(ref) : null;
      if (ref !== undefined && (!m || dnsLabel(m[1]) || dnsLabel(m[2]))) rep(`${field}.clone`, `${show(ref)} must name the PVC to clone as "<namespace>/<name>"`);
      else if (m) source = DiskSource.pvcClone({ namespace: m[1], name: m[2] });
      break;
    }
    case 'bootSource': {
      const ref = d.string('bootSource', { rule: oneOf([...OPENSHIFT_BOOT_SOURCES]) });
      if (ref) source = DiskSource.bootSource(ref as OpenShiftBootSource);
      break;
    }
    case 'dataSource': {
      const ref = d.string('dataSource');
      const m = typeof ref === 'string' ? /^([^/]+)\/([^/]+)$/.exec(ref) : null;
      if (ref !== undefined && (!m || dnsLabel(m[1]) || dnsLabel(m[2]))) rep(`${field}.dataSource`, `${show(ref)} must name the DataSource as "<namespace>/<name>"`);
      else if (m) source = DiskSource.dataSource({ namespace: m[1], name: m[2] });
      break;
    }
    case 'http':
    case 'iso': {
      const url = d.string(kind, { rule: httpUrl });
      if (url) source = kind === 'http' ? DiskSource.httpImage(url) : DiskSource.isoInstaller(url, { isoSize: raw.isoSize !== undefined ? d.quantity('isoSize')?.toString() : undefined });
      break;
    }
    case 'registry': {
      const img = d.string('registry');
      if (img) source = DiskSource.registryImage(img);
      break;
    }
    case 'pvc': {
      const claim = d.string('pvc', { rule: dnsLabel });
      if (claim) source = DiskSource.existingPvc(claim, { accessMode });
      if (raw.size !== undefined && raw.moveToRwx !== true) rep(`${field}.size`, 'an existing PVC keeps its own size; drop size (or set moveToRwx: true to copy it into a new volume of that size)');
      break;
    }
    default:
      source = DiskSource.blank();
  }
  const move = d.boolean('moveToRwx', { optional: true });
  if (move && kind !== 'pvc') rep(`${field}.moveToRwx`, 'applies to an existing claim (pvc: ...) only');
  if (kind !== 'pvc' && raw.size === undefined) rep(`${field}.size`, 'is required (for example "30Gi")');
  if (!source) return undefined;
  return { source, size, storageClass: kind === 'pvc' && !move ? undefined : storageClass, accessMode: kind === 'pvc' ? undefined : accessMode, moveToReadWriteMany: move || undefined };
}

/** A value, or this environment's entry of a map keyed by environment. */
function perEnvironment(v: unknown, field: string, environment: string | undefined, rep: (f: string, m: string) => void): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && !Array.isArray(v)) {
    if (environment === undefined) { rep(field, 'is a map by environment, but the file is not read for an environment; write one value'); return undefined; }
    const e = (v as Record<string, unknown>)[environment];
    if (e === undefined) { rep(field, `has no entry for environment "${environment}" (it has ${Object.keys(v).map((k) => `"${k}"`).join(', ') || 'none'})`); return undefined; }
    if (typeof e !== 'string') { rep(`${field}.${environment}`, `must be a string, got ${show(e)}`); return undefined; }
    return e;
  }
  rep(field, `must be a string or a map by environment, got ${show(v)}`);
  return undefined;
}

/** `address: 192.0.2.10/24 | dhcp | none`, with `gateway`, `dns`, `search` for a static address. */
function readAddress(item: Record<string, any>, f: string, environment: string | undefined, rep: (f: string, m: string) => void): GuestAddress | undefined {
  const address = perEnvironment(item.address, `${f}.address`, environment, rep);
  const gateway = perEnvironment(item.gateway, `${f}.gateway`, environment, rep);
  const list = (k: string): string[] | undefined => {
    let v = item[k];
    if (v === undefined) return undefined;
    // a map by environment of lists ({ production: [...], staging: [...] })
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      if (environment === undefined) { rep(`${f}.${k}`, 'is a map by environment, but the file is not read for an environment; write one list'); return undefined; }
      if (!(environment in v)) { rep(`${f}.${k}`, `has no entry for environment "${environment}" (it has ${Object.keys(v).map((x) => `"${x}"`).join(', ') || 'none'})`); return undefined; }
      v = v[environment];
    }
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) { rep(`${f}.${k}`, `must be a list of strings, got ${show(v)}`); return undefined; }
    return v;
  };
  const dns = list('dns');
  const search = list('search');
  if (address === undefined) {
    if (gateway !== undefined || dns || search) rep(`${f}.address`, 'is required with gateway, dns or search');
    return undefined;
  }
  if (address === 'dhcp' || address === 'none') {
    if (gateway !== undefined || dns || search) rep(f, `gateway, dns and search belong to a static address, not to address: ${address}`);
    return address === 'dhcp' ? GuestAddress.dhcp() : GuestAddress.none();
  }
  return GuestAddress.fixed(address, { gateway, dns, search });
}

/** `readiness: { tcp: port } | { exec: [...] } | guestAgentPing | none`. */
function readReadiness(v: unknown, rep: (f: string, m: string) => void): VmReadiness | undefined {
  if (v === undefined || v === null) return undefined;
  if (v === 'none') return VmReadiness.none();
  if (v === 'guestAgentPing') return VmReadiness.guestAgentPing();
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && keys[0] === 'tcp') {
      const m = limit('port')(o.tcp);
      if (m) { rep('readiness.tcp', m); return undefined; }
      return VmReadiness.tcp(o.tcp as number);
    }
    if (keys.length === 1 && keys[0] === 'exec') {
      if (!Array.isArray(o.exec) || !o.exec.length || o.exec.some((x) => typeof x !== 'string')) { rep('readiness.exec', `must be a list of strings (the command run in the guest), got ${show(o.exec)}`); return undefined; }
      return VmReadiness.exec(o.exec as string[]);
    }
  }
  rep('readiness', `${show(v)} must be { tcp: <port> }, { exec: [command, args...] }, guestAgentPing or none`);
  return undefined;
}

/** `yumRepos: [{ id, baseUrl, name?, gpgKey?, gpgCheck? }]`. */
function readYumRepos(v: unknown, field: string, rep: (f: string, m: string) => void): YumRepo[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) { rep(field, `must be a list of { id, baseUrl }, got ${show(v)}`); return undefined; }
  const out: YumRepo[] = [];
  v.forEach((r, i) => {
    const f = `${field}[${i}]`;
    if (!r || typeof r !== 'object' || Array.isArray(r)) { rep(f, `must be { id, baseUrl }, got ${show(r)}`); return; }
    for (const k of Object.keys(r)) if (!['id', 'name', 'baseUrl', 'gpgKey', 'gpgCheck'].includes(k)) rep(`${f}.${k}`, 'unknown field; allowed fields are id, name, baseUrl, gpgKey, gpgCheck');
    out.push({ id: r.id, name: r.name, baseUrl: r.baseUrl, gpgKey: r.gpgKey, gpgCheck: r.gpgCheck });
  });
  return out;
}

/** `consoleLogin: { user, passwordSecret, key? }` (the key holding the crypt hash, default `passwordHash`). */
function readConsoleLogin(v: unknown, field: string, rep: (f: string, m: string) => void): ConsoleLogin | undefined {
  if (v === undefined || v === null) return undefined;
  if (!v || typeof v !== 'object' || Array.isArray(v)) { rep(field, `must be { user, passwordSecret }, got ${show(v)}`); return undefined; }
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!['user', 'passwordSecret', 'key'].includes(k)) rep(`${field}.${k}`, 'unknown field; allowed fields are user, passwordSecret, key');
  const secret = o.passwordSecret;
  const m = dnsLabel(secret);
  if (m) { rep(`${field}.passwordSecret`, m); return undefined; }
  return ConsoleLogin.fromSecret({ user: o.user as string, passwordHash: SecretKey.of(secret as string, typeof o.key === 'string' ? o.key : 'passwordHash') });
}
