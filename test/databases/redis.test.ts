import { SecretKey } from '../../lib/core/secret-key';
import { Redis } from '../../lib/databases/redis';
import { GitLab } from '../../lib/gitlab';
import { ExternalImage } from '../../lib/openshift/external-image';
import { find, synth } from '../_helpers';
import { fixture, gitlabProps } from '../gitlab/_fixture';

const IMAGE = ExternalImage.tag('registry.redhat.io/rhel9/redis-7', '1-25');

describe('Redis', () => {
  test('one pod on a RWO data volume, the password from a Secret, a Service; GitLab derives host, port and password from it', () => {
    const f = fixture();
    const redis = new Redis(f.app, 'Redis', {
      name: 'gitlab-redis', namespace: 'gitlab-system', image: IMAGE, password: SecretKey.of('gitlab-redis', 'password'), storage: '10Gi',
      resources: { requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '1Gi' } },
    });
    new GitLab(f.app, 'GitLab', gitlabProps(f, { redis }));
    const result = synth(f.cluster);
    const sts = find(result, 'StatefulSet', 'gitlab-redis', 'gitlab-system');
    const c = sts.spec.template.spec.containers[0];
    expect(c.image).toBe('registry.redhat.io/rhel9/redis-7:1-25');
    expect(c.env).toEqual([{ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'gitlab-redis', key: 'password' } } }]);
    expect(c.volumeMounts).toEqual([{ name: 'data', mountPath: '/var/lib/redis/data' }]);
    expect(c.resources).toEqual({ requests: { cpu: '100m', memory: '512Mi' }, limits: { memory: '1Gi' } });
    expect(sts.spec.volumeClaimTemplates[0].spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } });
    const svc = find(result, 'Service', 'gitlab-redis', 'gitlab-system');
    expect(svc.spec.selector).toEqual(sts.spec.template.metadata.labels);
    expect(svc.spec.ports).toEqual([{ name: 'redis', port: 6379, targetPort: 6379 }]);
    const values = find(result, 'GitLab', 'gitlab', 'gitlab-system').spec.chart.values;
    expect(values.global.redis).toEqual({ host: 'gitlab-redis.gitlab-system.svc', port: 6379, auth: { enabled: true, secret: 'gitlab-redis', key: 'password' } });
  });

  test('bad input: every problem, with the construct path', () => {
    const f = fixture();
    expect(() => new Redis(f.app, 'Redis', { name: 'Bad_Name', namespace: 'gitlab-system', image: 'redis:7' as any, password: 'hunter2' as any, storage: 'lots' }))
      .toThrow(/invalid Redis[\s\S]*\[GitLab\/Redis\] name: "Bad_Name"[\s\S]*image: "redis:7" must be an ExternalImage[\s\S]*password: is not a Secret reference[\s\S]*storage:/);
    // a value given as the password never reaches the message
    expect(() => new Redis(f.app, 'Redis2', { name: 'r', namespace: 'gitlab-system', image: IMAGE, password: 'hunter2' as any, storage: '1Gi' })).toThrow(/^(?![\s\S]*hunter2)/);
  });
});
