import { Issuers } from '../../lib/certs/issuer';
import { Quantity } from '../../lib/core/quantity';
import { GitOpsApp } from '../../lib/gitops/gitops-app';
import { ExternalImage, RouteTls, Workload } from '../../lib/openshift';
import { SERVING_CERT_DIR } from '../../lib/openshift/workload';
import { Tenant } from '../../lib/tenancy';
import { find, synth, testCluster } from '../_helpers';

const issuer = Issuers.clusterIssuer('letsencrypt-dns');
function tenant() {
  const c = testCluster();
  const t = new Tenant(c, 'Wiki', {
    name: 'wiki', displayName: 'Wiki', groups: { admin: ['wiki-admins'] },
    quota: { cpu: Quantity.parse('2'), memory: Quantity.parse('4Gi'), storage: Quantity.parse('10Gi') },
  });
  return { c, t };
}

describe('Workload', () => {
  test('ImageStream tracks the external image with scheduled import', () => {
    const { c, t } = tenant();
    new Workload(t, 'Web', { name: 'mediawiki', image: ExternalImage.tag('quay.io/community/mediawiki', '1.42.3') });
    const is = find(synth(c), 'ImageStream', 'mediawiki');
    expect(is.metadata.namespace).toBe('wiki');
    expect(is.spec.tags).toEqual([{
      from: { kind: 'DockerImage', name: 'quay.io/community/mediawiki:1.42.3' },
      importPolicy: { scheduled: true },
      name: '1.42.3',
      referencePolicy: { type: 'Source' },
    }]);
  });

  test('Deployment rolls out on image change and Argo CD ignores the rewritten image', () => {
    const { c, t } = tenant();
    new Workload(t, 'Web', { name: 'mediawiki', image: ExternalImage.tag('quay.io/community/mediawiki', '1.42.3'), replicas: 2, cpu: Quantity.parse('500m'), memory: Quantity.parse('1Gi') });
    const r = synth(c);
    const d = find(r, 'Deployment', 'mediawiki');
    expect(JSON.parse(d.metadata.annotations['image.openshift.io/triggers'])).toEqual([
      { from: { kind: 'ImageStreamTag', name: 'mediawiki:1.42.3' }, fieldPath: 'spec.template.spec.containers[?(@.name=="mediawiki")].image' },
    ]);
    const container = d.spec.template.spec.containers[0];
    expect(container.image).toBe('quay.io/community/mediawiki:1.42.3');
    expect(container.resources).toEqual({ limits: { memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } });
    expect(container.securityContext.runAsNonRoot).toBe(true);
    expect(d.spec.replicas).toBe(2);
    const app = find(r, 'Application', 'wiki');
    expect(app.spec.ignoreDifferences).toEqual([
      { group: 'apps', jqPathExpressions: ['.spec.template.spec.containers[] | select(.name == "mediawiki") | .image'], kind: 'Deployment', name: 'mediawiki', namespace: 'wiki' },
    ]);
    // a sync must not write the tag back over the digest the trigger set
    expect(app.spec.syncPolicy.syncOptions).toEqual(['PruneLast=true', 'RespectIgnoreDifferences=true']);
  });

  test('Service and edge Route with a cert-manager certificate', () => {
    const { c, t } = tenant();
    new Workload(t, 'Web', { name: 'mediawiki', image: ExternalImage.tag('quay.io/community/mediawiki', '1.42.3'), portNumber: 3000, route: { host: 'wiki.example.org', issuer } });
    const r = synth(c);
    expect(find(r, 'Service', 'mediawiki').spec.ports).toEqual([{ name: 'http', port: 3000, protocol: 'TCP', targetPort: 'http' }]);
    const route = find(r, 'Route', 'mediawiki');
    expect(route.metadata.annotations).toMatchObject({ 'cert-manager.io/issuer-name': 'letsencrypt-dns', 'cert-manager.io/issuer-kind': 'ClusterIssuer' });
    expect(route.spec).toEqual({
      host: 'wiki.example.org',
      port: { targetPort: 'http' },
      tls: { insecureEdgeTerminationPolicy: 'Redirect', termination: 'edge' },
      to: { kind: 'Service', name: 'mediawiki', weight: 100 },
    });
  });

  test('re-encrypt Routes get a service-serving certificate that the pod mounts and serves on an https port', () => {
    const { c, t } = tenant();
    new Workload(t, 'Web', { name: 'mediawiki', image: ExternalImage.tag('quay.io/community/mediawiki', '1.42.3'), healthPath: '/healthz', route: { host: 'wiki.example.org', issuer, tls: RouteTls.REENCRYPT } });
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
    new Workload(t, 'Web', { name: 'mediawiki', image: ExternalImage.tag('quay.io/community/mediawiki', '1.42.3'), healthPath: '/healthz', route: { host: 'wiki.example.org', issuer } });
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
      expect(() => new Workload(t, 'Web', { name: 'w', image: ExternalImage.tag('quay.io/x/y', '1'), portNumber: 70000, route: { host: 'not a host', issuer } }))
        .toThrow(/\[Wiki\/Web\] portNumber: 70000 must be an integer from 1 to 65535\n\s+\[Wiki\/Web\] route.host: "not a host" is not a DNS host name/);
    });
    test('a workload needs a namespace', () => {
      const c = testCluster();
      const app = new GitOpsApp(c, 'Platform', { name: 'platform-things' });
      expect(() => new Workload(app, 'W', { name: 'w', image: ExternalImage.tag('quay.io/x/y', '1') })).toThrow(/\[Platform\/W\] namespace: a Workload must be defined inside a Tenant/);
    });
  });
});
