import { Cluster } from '../../lib';
import { AcmeAccount } from '../../lib/certs/acme-issuer';
import { Issuers } from '../../lib/certs/issuer';
import { Quantity } from '../../lib/core/quantity';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { ExternalImage, ImageUpdates, RouteTls, ContainerApp } from '../../lib/openshift';
import { SERVING_CERT_DIR } from '../../lib/openshift/container-app';
import { Tenant } from '../../lib/tenancy';
import { find, synth, testCluster } from '../_helpers';

const acme = AcmeAccount.rfc2136({ email: 'infra@example.org', nameserver: 'ns1.example.org:53', keyPrefix: 'acme-test' });
function tenant(cluster: Cluster = testCluster()) {
  const c = cluster;
  const t = new Tenant(c, 'Wiki', {
    name: 'wiki', displayName: 'Wiki', groups: { admin: ['wiki-admins'] },
    quota: { cpu: Quantity.parse('2'), memory: Quantity.parse('4Gi'), storage: Quantity.parse('10Gi') },
    tls: { hostnames: ['wiki.example.org'], acme },
  });
  return { c, t };
}
function cluster(environment: string, imageUpdates?: 'pinned' | 'follow-tags'): Cluster {
  return new Cluster({ platform: { openshift: '4.14', networkType: 'OVNKubernetes', gitops: '1.12', argoCd: '2.10.18' }, name: 'community', environment, repoUrl: 'https://git.example.org/infra.git', imageUpdates });
}
const following = ImageUpdates.followTag('built by our CI from main; staging previews every merge');

describe('ContainerApp', () => {
  describe('image updates: one model per workload', () => {
    test('pinned (the default): the image in Git runs; no ImageStream, trigger or ignored field', () => {
      const { c, t } = tenant();
      const w = new ContainerApp(t, 'Web', { name: 'mediawiki', image: ExternalImage.tag('quay.io/community/mediawiki', '1.42.3'), replicas: 2, cpu: Quantity.parse('500m'), memory: Quantity.parse('1Gi') });
      expect(w.updates.mode).toBe('pinned');
      expect(w.imageStream).toBeUndefined();
      const r = synth(c);
      expect(r.objects.filter((o) => o.manifest.kind === 'ImageStream')).toEqual([]);
      const d = find(r, 'Deployment', 'mediawiki');
      expect(d.metadata.annotations?.['image.openshift.io/triggers']).toBeUndefined();
      expect(d.metadata.annotations?.['ocpkit.io/waive-pinned-images']).toBeUndefined();
      const container = d.spec.template.spec.containers[0];
      expect(container.image).toBe('quay.io/community/mediawiki:1.42.3');
      expect(container.resources).toEqual({ limits: { memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } });
      expect(container.securityContext.runAsNonRoot).toBe(true);
      expect(d.spec.replicas).toBe(2);
      const app = find(r, 'Application', 'wiki');
      expect(app.spec.ignoreDifferences).toBeUndefined();
      expect(app.spec.syncPolicy.syncOptions).not.toContain('RespectIgnoreDifferences=true');
    });

    test('followTag where the cluster allows it: scheduled import, trigger, ignored image, and a written waiver', () => {
      const { c, t } = tenant(cluster('staging', 'follow-tags'));
      const w = new ContainerApp(t, 'Web', { name: 'mediawiki', image: ExternalImage.tag('quay.io/community/mediawiki', 'main'), updates: following });
      expect(w.updates.mode).toBe('follow-tag');
      const r = synth(c); // the moving tag passes the policies through the waiver only
      const is = find(r, 'ImageStream', 'mediawiki');
      expect(is.metadata.namespace).toBe('wiki');
      expect(is.spec.tags).toEqual([{
        from: { kind: 'DockerImage', name: 'quay.io/community/mediawiki:main' },
        importPolicy: { scheduled: true },
        name: 'main',
        referencePolicy: { type: 'Source' },
      }]);
      const d = find(r, 'Deployment', 'mediawiki');
      expect(JSON.parse(d.metadata.annotations['image.openshift.io/triggers'])).toEqual([
        { from: { kind: 'ImageStreamTag', name: 'mediawiki:main' }, fieldPath: 'spec.template.spec.containers[?(@.name=="mediawiki")].image' },
      ]);
      for (const m of [d, is]) expect(m.metadata.annotations['ocpkit.io/waive-pinned-images']).toMatch(/follows a moving tag .*built by our CI from main/);
      const app = find(r, 'Application', 'wiki');
      expect(app.spec.ignoreDifferences).toEqual([
        { group: 'apps', jqPathExpressions: ['.spec.template.spec.containers[] | select(.name == "mediawiki") | .image'], kind: 'Deployment', name: 'mediawiki', namespace: 'wiki' },
      ]);
      // a sync must not write the tag back over the digest the trigger set
      expect(app.spec.syncPolicy.syncOptions).toEqual(['PruneLast=true', 'RespectIgnoreDifferences=true']);
    });

    test('a production ContainerApp with a moving tag is refused, naming the construct path', () => {
      const { t } = tenant(cluster('production'));
      expect(() => new ContainerApp(t, 'Web', { name: 'mediawiki', image: ExternalImage.tag('quay.io/community/mediawiki', 'main'), updates: following }))
        .toThrow(/\[Wiki\/Web\] updates: follows the moving tag of quay.io\/community\/mediawiki:main, but cluster "community" \(environment production\) pins images \(imageUpdates: 'pinned'\); use ImageUpdates.pinned\(\)/);
    });

    test('followTag needs a tag and a reason; the cluster setting is one of two values', () => {
      const { t } = tenant(cluster('staging', 'follow-tags'));
      const digest = ExternalImage.digest('quay.io/community/mediawiki', `sha256:${'a'.repeat(64)}`);
      expect(() => new ContainerApp(t, 'Web', { name: 'mediawiki', image: digest, updates: following })).toThrow(/\[Wiki\/Web\] updates: .* is pinned by digest, which never moves/);
      expect(() => ImageUpdates.followTag(' ')).toThrow(/\[ImageUpdates.followTag\] reason: " " is not a reason/);
      expect(() => cluster('staging', 'sometimes' as any)).toThrow(/imageUpdates: "sometimes"/);
    });
  });

  test('Service and edge Route with a cert-manager certificate', () => {
    const { c, t } = tenant();
    new ContainerApp(t, 'Web', { name: 'mediawiki', image: ExternalImage.tag('quay.io/community/mediawiki', '1.42.3'), portNumber: 3000, route: { host: 'wiki.example.org' } });
    const r = synth(c);
    expect(find(r, 'Service', 'mediawiki').spec.ports).toEqual([{ name: 'http', port: 3000, protocol: 'TCP', targetPort: 'http' }]);
    const route = find(r, 'Route', 'mediawiki');
    expect(route.metadata.annotations).toMatchObject({ 'cert-manager.io/issuer-name': 'acme-dns', 'cert-manager.io/issuer-kind': 'Issuer', 'cert-manager.io/issuer-group': 'cert-manager.io' });
    expect(route.spec).toEqual({
      host: 'wiki.example.org',
      port: { targetPort: 'http' },
      tls: { insecureEdgeTerminationPolicy: 'Redirect', termination: 'edge' },
      to: { kind: 'Service', name: 'mediawiki', weight: 100 },
    });
  });

  test('re-encrypt Routes get a service-serving certificate that the pod mounts and serves on an https port', () => {
    const { c, t } = tenant();
    new ContainerApp(t, 'Web', { name: 'mediawiki', image: ExternalImage.tag('quay.io/community/mediawiki', '1.42.3'), healthPath: '/healthz', route: { host: 'wiki.example.org', tls: RouteTls.REENCRYPT } });
    const r = synth(c);
    const route = find(r, 'Route', 'mediawiki');
    expect(route.spec.tls.termination).toBe('reencrypt');
    // no destinationCACertificate: the router trusts the service CA for re-encrypt Routes
    expect(route.spec.tls.destinationCACertificate).toBeUndefined();
    expect(route.spec.port).toEqual({ targetPort: 'https' });
    const svc = find(r, 'Service', 'mediawiki');
    expect(svc.metadata.annotations['service.beta.openshift.io/serving-cert-secret-name']).toBe('mediawiki-serving-cert');
    expect(svc.spec.ports).toEqual([{ name: 'https', port: 8080, protocol: 'TCP', targetPort: 'https' }]);
    const pod = find(r, 'Deployment', 'mediawiki').spec.template.spec;
    expect(pod.volumes).toEqual([{ name: 'serving-cert', secret: { secretName: 'mediawiki-serving-cert' } }]);
    const container = pod.containers[0];
    expect(container.ports).toEqual([{ containerPort: 8080, name: 'https', protocol: 'TCP' }]);
    expect(container.volumeMounts).toEqual([{ mountPath: SERVING_CERT_DIR, name: 'serving-cert', readOnly: true }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'https', scheme: 'HTTPS' });
    expect(container.livenessProbe.httpGet.scheme).toBe('HTTPS');
  });

  test('edge Workloads mount no certificate and probe over plain HTTP', () => {
    const { c, t } = tenant();
    new ContainerApp(t, 'Web', { name: 'mediawiki', image: ExternalImage.tag('quay.io/community/mediawiki', '1.42.3'), healthPath: '/healthz', route: { host: 'wiki.example.org' } });
    const r = synth(c);
    const pod = find(r, 'Deployment', 'mediawiki').spec.template.spec;
    expect(pod.volumes).toBeUndefined();
    expect(pod.containers[0].volumeMounts).toBeUndefined();
    expect(pod.containers[0].readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(find(r, 'Service', 'mediawiki').metadata.annotations).not.toHaveProperty(['service.beta.openshift.io/serving-cert-secret-name']);
  });

  describe('bad input', () => {
    test('latest is not a pinned image', () => {
      expect(() => ExternalImage.tag('quay.io/community/mediawiki', 'latest')).toThrow(/tag: "latest" is not a pinned version/);
      expect(() => ExternalImage.parse('quay.io/community/mediawiki')).toThrow(/"latest" is not a pinned version/);
    });
    test('malformed repository and digest', () => {
      expect(() => ExternalImage.tag('Quay.io/X', '1')).toThrow(/repository: "Quay.io\/X" is not a registry repository/);
      expect(() => ExternalImage.digest('quay.io/x/y', 'sha256:abc')).toThrow(/digest: "sha256:abc" is not a sha256 digest/);
    });
    test('route host and port', () => {
      const { t } = tenant();
      expect(() => new ContainerApp(t, 'Web', { name: 'w', image: ExternalImage.tag('quay.io/x/y', '1'), portNumber: 70000, route: { host: 'not a host' } }))
        .toThrow(/\[Wiki\/Web\] portNumber: 70000 must be an integer from 1 to 65535\n\s+\[Wiki\/Web\] route.host: "not a host" is not a DNS host name/);
    });
    test('a tenant Route may not name a ClusterIssuer, a host outside its names, or exist without tls', () => {
      const { t } = tenant();
      const image = ExternalImage.tag('quay.io/x/y', '1');
      expect(() => new ContainerApp(t, 'A', { name: 'a', image, route: { host: 'wiki.example.org', issuer: Issuers.clusterIssuer('letsencrypt-dns') } }))
        .toThrow(/\[Wiki\/A\/Route\] issuer: names the ClusterIssuer "letsencrypt-dns"; tenant "wiki" may only use its own namespaced Issuer "acme-dns"/);
      expect(() => new ContainerApp(t, 'B', { name: 'b', image, route: { host: 'gitlab.example.org' } }))
        .toThrow(/\[Wiki\/B\/Route\] host: "gitlab.example.org" is not one of the host names of tenant "wiki" \("wiki.example.org"\)/);
      const c = testCluster();
      const bare = new Tenant(c, 'Bare', { name: 'bare', displayName: 'Bare', groups: { admin: ['a'] }, quota: { cpu: Quantity.parse('1'), memory: Quantity.parse('1Gi'), storage: Quantity.parse('1Gi') } });
      expect(() => new ContainerApp(bare, 'C', { name: 'c', image, route: { host: 'bare.example.org' } }))
        .toThrow(/\[Bare\/C\/Route\] issuer: tenant "bare" declares no tls, so it has no Issuer/);
    });
    test('a workload needs a namespace', () => {
      const c = testCluster();
      const app = new GitOpsApp(c, 'Platform', { name: 'platform-things' });
      expect(() => new ContainerApp(app, 'W', { name: 'w', image: ExternalImage.tag('quay.io/x/y', '1') })).toThrow(/\[Platform\/W\] namespace: a ContainerApp must be defined inside a Tenant/);
    });
  });
});
