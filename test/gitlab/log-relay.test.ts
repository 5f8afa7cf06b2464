import * as yaml from 'js-yaml';
import { Quantity } from '../../lib/core/quantity';
import {
  DEFAULT_GITLAB_LOG_FILES, GitLabComponent, GitLabLogRelay, RelayImage, SyslogCa, SyslogFacility, SyslogProtocol, SyslogSeverity,
  SyslogStreamDriver, SyslogTlsAuthMode,
} from '../../lib/gitlab';
import { ExternalImage } from '../../lib/openshift/external-image';
import { External } from '../../lib/refs/provides';
import { find, synth, synthClosed } from '../_helpers';
import { withGitLab } from './_fixture';

const TARGET = { host: 'syslog.example.org', port: 514 };
const UPSTREAM = ExternalImage.tag('docker.io/rsyslog/rsyslog', '2026-04');
const DERIVED = RelayImage.derived(ExternalImage.digest('quay.io/community-infra/rsyslog-relay', `sha256:${'a'.repeat(64)}`));
const TLS_TARGET = { host: 'syslog.example.org', port: 6514, tls: { ca: SyslogCa.configMapKey('syslog-ca', 'ca.pem') } };

describe('GitLabLogRelay', () => {
  test('minimal relay: PVC, config, deployment, volumes in webservice and sidekiq', () => {
    const f = withGitLab();
    const relay = new GitLabLogRelay(f.app, 'Logs', { gitlab: f.gitlab, target: TARGET, image: UPSTREAM });
    const result = synth(f.cluster);

    const pvc = find(result, 'PersistentVolumeClaim', 'gitlab-log-relay-logs', 'gitlab-system');
    expect(pvc.spec).toEqual({ accessModes: ['ReadWriteMany'], storageClassName: 'ocs-storagecluster-cephfs', resources: { requests: { storage: '20Gi' } } });

    const v = find(result, 'GitLab', 'gitlab').spec.chart.values;
    for (const component of ['webservice', 'sidekiq']) {
      expect(yaml.load(v.gitlab[component].extraVolumes)).toEqual([{ name: 'gitlab-logs', persistentVolumeClaim: { claimName: 'gitlab-log-relay-logs' } }]);
      // Each pod in its own directory: the mount's subPathExpr uses the variable that extraEnvFrom
      // fills from the downward API, in the same containers (the chart includes both in each).
      expect(yaml.load(v.gitlab[component].extraVolumeMounts)).toEqual([{ name: 'gitlab-logs', mountPath: '/var/log/gitlab', subPathExpr: `${component}/$(POD_NAME)` }]);
      expect(v.gitlab[component].extraEnvFrom).toEqual({ POD_NAME: { fieldRef: { fieldPath: 'metadata.name' } } });
      expect(v.gitlab[component].extraEnv).toEqual({ USE_TINI: '1', GITLAB_LOGGER_TRUNCATE_LOGS: 'true' });
    }
    const state = find(result, 'PersistentVolumeClaim', 'gitlab-log-relay-state', 'gitlab-system');
    expect(state.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(state.spec.resources.requests.storage).toBe('2Gi');

    const conf = find(result, 'ConfigMap', 'gitlab-log-relay-config', 'gitlab-system').data['rsyslog.conf'];
    expect(conf).toBe(relay.rsyslogConf);
    expect(conf).toContain('module(load="imfile" mode="polling" pollingInterval="10")');
    expect(conf).toContain('input(type="imfile" file="/var/log/gitlab/webservice/*/production_json.log" tag="gitlab-rails" facility="local0" severity="info" ruleset="forward" addMetadata="on"');
    expect(conf).toContain('input(type="imfile" file="/var/log/gitlab/webservice/*/auth_json.log" tag="gitlab-auth" facility="authpriv" severity="warning"');
    expect(conf).toContain('input(type="imfile" file="/var/log/gitlab/sidekiq/*/exceptions_json.log" tag="gitlab-sidekiq-exceptions" facility="local0" severity="err"');
    expect(conf.match(/^input\(/gm)).toHaveLength(DEFAULT_GITLAB_LOG_FILES.length);
    // M2.4: no freshStartTail, the work directory is the persistent state volume.
    expect(conf).not.toMatch(/freshStartTail/i);
    expect(conf).toContain('workDirectory="/var/lib/rsyslog-relay"');
    expect(conf).toContain('action(type="omfwd" target="syslog.example.org" port="514" protocol="tcp" template="gitlab_pod" queue.type="LinkedList"');
    expect(conf).toContain('queue.maxDiskSpace="1024m"');
    expect(conf).not.toContain('gtls');
    expect(conf).not.toMatch(/TCP_Framing/);

    const dep = find(result, 'Deployment', 'gitlab-log-relay', 'gitlab-system');
    const pod = dep.spec.template.spec;
    expect(dep.spec.strategy).toEqual({ type: 'Recreate' });
    expect(pod.shareProcessNamespace).toBeUndefined();
    expect(pod.containers[0].image).toBe('docker.io/rsyslog/rsyslog:2026-04');
    expect(pod.containers[0].image).not.toMatch(/:latest$/);
    expect(pod.containers[0].command).toEqual(['rsyslogd', '-n', '-iNONE', '-f', '/etc/rsyslog-relay/rsyslog.conf']);
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'gitlab-logs', mountPath: '/var/log/gitlab', readOnly: true });
    expect(pod.volumes).toContainEqual({ name: 'gitlab-logs', persistentVolumeClaim: { claimName: 'gitlab-log-relay-logs', readOnly: true } });
    expect(pod.volumes).toContainEqual({ name: 'state', persistentVolumeClaim: { claimName: 'gitlab-log-relay-state' } });
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'state', mountPath: '/var/lib/rsyslog-relay' });
    expect(pod.volumes.some((vol: any) => vol.emptyDir)).toBe(false);
    expect(pod.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(dep.spec.template.metadata.annotations['ocpkit.io/config-hash']).toMatch(/^[0-9a-f]{16}$/);
  });

  test('the config hash follows the configuration', () => {
    const hash = (port: number) => {
      const f = withGitLab();
      new GitLabLogRelay(f.app, 'Logs', { gitlab: f.gitlab, target: { ...TARGET, port }, image: UPSTREAM });
      return find(synth(f.cluster), 'Deployment', 'gitlab-log-relay').spec.template.metadata.annotations['ocpkit.io/config-hash'];
    };
    expect(hash(514)).toBe(hash(514));
    expect(hash(514)).not.toBe(hash(601));
  });

  test('UDP, custom files, facility, image, size and polling interval', () => {
    const f = withGitLab();
    new GitLabLogRelay(f.app, 'Logs', {
      gitlab: f.gitlab,
      name: 'gitlab-syslog',
      target: { host: '192.0.2.10', port: 514, protocol: SyslogProtocol.UDP },
      defaultFacility: SyslogFacility.LOCAL3,
      files: [
        { component: GitLabComponent.WEBSERVICE, file: 'production_json.log', tag: 'gitlab-prod' },
        { component: GitLabComponent.SIDEKIQ, file: 'sidekiq_client.log', tag: 'gitlab-sq', facility: SyslogFacility.DAEMON, severity: SyslogSeverity.NOTICE },
      ],
      image: ExternalImage.tag('quay.io/community-infra/rsyslog', '8.2412.0-1'),
      size: Quantity.gibibytes(5),
      storageClassName: 'cephfs',
      pollingIntervalSeconds: 30,
      stateSize: Quantity.gibibytes(1),
      stateStorageClassName: 'ocs-storagecluster-ceph-rbd',
      truncateLogs: false,
    });
    const result = synth(f.cluster);
    const conf = find(result, 'ConfigMap', 'gitlab-syslog-config').data['rsyslog.conf'];
    expect(conf).toContain('pollingInterval="30"');
    expect(conf).toContain('file="/var/log/gitlab/webservice/*/production_json.log" tag="gitlab-prod" facility="local3" severity="info"');
    expect(conf).toContain('file="/var/log/gitlab/sidekiq/*/sidekiq_client.log" tag="gitlab-sq" facility="daemon" severity="notice"');
    expect(conf).toContain('queue.maxDiskSpace="512m"');
    expect(find(result, 'PersistentVolumeClaim', 'gitlab-syslog-state').spec.storageClassName).toBe('ocs-storagecluster-ceph-rbd');
    expect(find(result, 'GitLab', 'gitlab').spec.chart.values.gitlab.webservice.extraEnv.GITLAB_LOGGER_TRUNCATE_LOGS).toBeUndefined();
    expect(conf).toContain('target="192.0.2.10" port="514" protocol="udp"');
    expect(find(result, 'PersistentVolumeClaim', 'gitlab-syslog-logs').spec.resources.requests.storage).toBe('5Gi');
    expect(find(result, 'Deployment', 'gitlab-syslog').spec.template.spec.containers[0].image).toBe('quay.io/community-infra/rsyslog:8.2412.0-1');
  });

  test('TLS with the cluster trusted CA bundle, chosen explicitly', () => {
    const f = withGitLab();
    new GitLabLogRelay(f.app, 'Logs', { gitlab: f.gitlab, image: DERIVED, target: { host: 'syslog.example.org', port: 6514, tls: { ca: SyslogCa.clusterTrustedBundle() } } });
    const result = synth(f.cluster);
    const ca = find(result, 'ConfigMap', 'gitlab-log-relay-trusted-ca');
    expect(ca.metadata.labels).toEqual({ 'config.openshift.io/inject-trusted-cabundle': 'true' });
    expect(ca.data).toBeUndefined();
    const conf = find(result, 'ConfigMap', 'gitlab-log-relay-config').data['rsyslog.conf'];
    expect(conf).toContain('defaultNetstreamDriverCAFile="/etc/rsyslog-relay/ca/ca-bundle.crt"');
    expect(conf).toContain('TCP_Framing="octet-counted" streamDriver="gtls" streamDriverMode="1" streamDriverAuthMode="x509/name" streamDriverPermittedPeers="syslog.example.org"');
    // Octet-counted messages carry no LF terminator.
    expect(conf).not.toContain('constant(value="\\n")');
    const pod = find(result, 'Deployment', 'gitlab-log-relay').spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 'ca', configMap: { name: 'gitlab-log-relay-trusted-ca', items: [{ key: 'ca-bundle.crt', path: 'ca-bundle.crt' }] } });
    expect(pod.containers[0].image).toBe(DERIVED.reference);
  });

  test('TLS with a declared CA ConfigMap key and certvalid mode', () => {
    const f = withGitLab();
    External.configMap(f.app, 'syslog-ca', { keys: ['ca.pem'], providedBy: 'by-hand', note: 'the FreeIPA CA certificate (PEM)' });
    new GitLabLogRelay(f.app, 'Logs', {
      gitlab: f.gitlab,
      image: DERIVED,
      target: { ...TLS_TARGET, tls: { ...TLS_TARGET.tls, authMode: SyslogTlsAuthMode.X509_CERTVALID } },
    });
    const result = synth(f.cluster);
    expect(result.objects.some((o) => o.manifest.metadata.name === 'gitlab-log-relay-trusted-ca')).toBe(false);
    const conf = find(result, 'ConfigMap', 'gitlab-log-relay-config').data['rsyslog.conf'];
    expect(conf).toContain('defaultNetstreamDriverCAFile="/etc/rsyslog-relay/ca/ca.pem"');
    expect(conf).toContain('streamDriverAuthMode="x509/certvalid"');
    expect(conf).not.toContain('streamDriverPermittedPeers');
    expect(find(result, 'Deployment', 'gitlab-log-relay').spec.template.spec.volumes)
      .toContainEqual({ name: 'ca', configMap: { name: 'syslog-ca', items: [{ key: 'ca.pem', path: 'ca.pem' }] } });
  });

  test('a CA ConfigMap the stack neither creates nor declares is refused by reference resolution', () => {
    const errorOf = (declare: boolean): string => {
      const f = withGitLab();
      if (declare) External.configMap(f.app, 'syslog-ca', { keys: ['ca.pem'], providedBy: 'by-hand', note: 'the FreeIPA CA certificate (PEM)' });
      new GitLabLogRelay(f.app, 'Logs', { gitlab: f.gitlab, image: DERIVED, target: TLS_TARGET });
      try { synthClosed(f.cluster); return ''; } catch (e) { return String(e); }
    };
    expect(errorOf(false)).toMatch(/ConfigMap[^\n]*syslog-ca/);
    expect(errorOf(true)).not.toMatch(/syslog-ca/);
  });

  describe('TLS needs an image known to ship the stream driver', () => {
    test('an arbitrary ExternalImage is refused for TLS', () => {
      const f = withGitLab();
      expect(() => new GitLabLogRelay(f.app, 'Logs', { gitlab: f.gitlab, image: UPSTREAM, target: TLS_TARGET }))
        .toThrow(/\[GitLab\/Logs\] image: TLS needs the "gtls" stream driver in the image: docker.io\/rsyslog\/rsyslog:2026-04 is not known to ship the "gtls" stream driver.*RelayImage.derived/);
    });
    test('RelayImage.withoutTls is refused for TLS', () => {
      const f = withGitLab();
      expect(() => new GitLabLogRelay(f.app, 'Logs', { gitlab: f.gitlab, image: RelayImage.withoutTls(UPSTREAM), target: TLS_TARGET })).toThrow(/image: TLS needs the "gtls" stream driver/);
    });
    test('the derived image is refused for a driver its Containerfile does not install', () => {
      const f = withGitLab();
      expect(() => new GitLabLogRelay(f.app, 'Logs', { gitlab: f.gitlab, image: DERIVED, target: { ...TLS_TARGET, tls: { ...TLS_TARGET.tls, driver: SyslogStreamDriver.OSSL } } }))
        .toThrow(/image: TLS needs the "ossl" stream driver in the image: the image built from images\/rsyslog-relay\/Containerfile ships "gtls", not "ossl"/);
    });
    test('the same ExternalImage is fine without TLS', () => {
      const f = withGitLab();
      expect(() => new GitLabLogRelay(f.app, 'Logs', { gitlab: f.gitlab, image: UPSTREAM, target: TARGET })).not.toThrow();
    });
  });

  describe('bad input', () => {
    test.each([
      ['target without a port', { target: { host: 'syslog.example.org' } }, /\[GitLab\/Logs\] target.port: is required; the central rsyslog's port/],
      ['target port out of range', { target: { host: 'syslog.example.org', port: 0 } }, /target.port: 0 must be an integer from 1 to 65535/],
      ['target host', { target: { host: 'syslog example', port: 514 } }, /target.host: "syslog example" is not a host name or IPv4 address/],
      ['no target', { target: undefined }, /target: is required: host and port of the central rsyslog/],
      ['protocol', { target: { ...TARGET, protocol: 'sctp' } }, /target.protocol: "sctp" is not allowed; use one of "tcp", "udp"/],
      ['TLS over UDP', { image: DERIVED, target: { ...TLS_TARGET, protocol: SyslogProtocol.UDP } }, /target.tls: TLS needs TCP/],
      ['TLS auth mode', { image: DERIVED, target: { ...TARGET, tls: { ca: SyslogCa.clusterTrustedBundle(), authMode: 'x509' } } }, /target.tls.authMode: "x509" is not allowed/],
      ['TLS without a CA', { image: DERIVED, target: { ...TARGET, tls: {} } }, /\[GitLab\/Logs\] target.tls.ca: undefined is not a CA source; give SyslogCa.configMapKey\(name, key\).*or SyslogCa.clusterTrustedBundle\(\)/],
      ['TLS CA as a plain object', { image: DERIVED, target: { ...TARGET, tls: { ca: { name: 'ca', key: 'ca.pem' } } } }, /target.tls.ca: .* is not a CA source/],
      ['TLS CA key', { image: DERIVED, target: { ...TARGET, tls: { ca: SyslogCa.configMapKey('ca', '') } } }, /target.tls.ca.key: "" is not a ConfigMap key/],
      ['TLS driver', { image: DERIVED, target: { ...TARGET, tls: { ca: SyslogCa.clusterTrustedBundle(), driver: 'openssl' } } }, /target.tls.driver: "openssl" is not allowed; use one of "gtls", "ossl"/],
      ['no image', { image: undefined }, /image: undefined is not an image; give RelayImage.derived/],
      ['state size', { stateSize: Quantity.mebibytes(100) }, /stateSize: 100Mi is too small for the disk queue/],
      ['message size', { maxMessageSizeKiB: 4 }, /maxMessageSizeKiB: 4 must be an integer from 8 to 1024/],
      ['truncateLogs', { truncateLogs: 'yes' }, /truncateLogs: "yes" must be true or false/],
      ['no files', { files: [] }, /files: must list at least one log file/],
      ['TLS null', { target: { ...TARGET, tls: null } }, /\[GitLab\/Logs\] target.tls: null is not a TLS setting; give \{ ca, driver/],
      ['a file that is not an object', { files: [null] }, /\[GitLab\/Logs\] files\[0\]: null is not a log file; give \{ component, file, tag \}/],
      ['file path', { files: [{ component: GitLabComponent.WEBSERVICE, file: '../etc/passwd', tag: 'x' }] }, /files\[0\].file: "..\/etc\/passwd" is not a log file name/],
      ['file component', { files: [{ component: 'gitaly', file: 'a.log', tag: 'x' }] }, /files\[0\].component: "gitaly" is not allowed/],
      ['tag with quote', { files: [{ component: GitLabComponent.WEBSERVICE, file: 'a.log', tag: 'a"b' }] }, /files\[0\].tag: "a\\"b" is not a syslog tag/],
      ['tag too long', { files: [{ component: GitLabComponent.WEBSERVICE, file: 'a.log', tag: 'x'.repeat(33) }] }, /files\[0\].tag: "x{33}" is not a syslog tag/],
      ['facility', { files: [{ component: GitLabComponent.WEBSERVICE, file: 'a.log', tag: 'a', facility: 'local9' }] }, /files\[0\].facility: "local9" is not allowed/],
      ['severity', { files: [{ component: GitLabComponent.WEBSERVICE, file: 'a.log', tag: 'a', severity: 'error' }] }, /files\[0\].severity: "error" is not allowed; use one of "emerg"/],
      ['duplicate file', { files: [{ component: GitLabComponent.SIDEKIQ, file: 'a.log', tag: 'a' }, { component: GitLabComponent.SIDEKIQ, file: 'a.log', tag: 'b' }] }, /files: sidekiq\/a.log listed twice/],
      ['image as string', { image: 'docker.io/rsyslog/rsyslog:latest' }, /image: "docker.io\/rsyslog\/rsyslog:latest" is not an image; give RelayImage.derived/],
      ['size as string', { size: '20GB' }, /size: "20GB" must be a Quantity/],
      ['polling interval', { pollingIntervalSeconds: 0 }, /pollingIntervalSeconds: 0 must be an integer from 1 to 300/],
      ['name', { name: 'Log Relay' }, /name: "Log Relay" is not a DNS-1123 label/],
      ['gitlab', { gitlab: {} }, /gitlab: must be the GitLab construct/],
    ])('%s', (_n, override, message) => {
      const f = withGitLab();
      expect(() => new GitLabLogRelay(f.app, 'Logs', { gitlab: f.gitlab, target: TARGET, image: UPSTREAM, ...(override as any) })).toThrow(message);
    });

    test('an image tagged latest cannot even be built', () => {
      expect(() => ExternalImage.tag('docker.io/rsyslog/rsyslog', 'latest')).toThrow(/"latest" is not a pinned version/);
    });

    test('two relays for one GitLab collide on the volume name', () => {
      const f = withGitLab();
      new GitLabLogRelay(f.app, 'Logs', { gitlab: f.gitlab, target: TARGET, image: UPSTREAM });
      expect(() => new GitLabLogRelay(f.app, 'Logs2', { gitlab: f.gitlab, name: 'second', target: TARGET, image: UPSTREAM })).toThrow(/already/);
    });
  });
});
