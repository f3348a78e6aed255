/**
 * The Node Exporter that the monitoring design names (host metrics beside the services'):
 * in docker-compose.yml, in Kubernetes (k8s/monitoring/node-exporter, one DaemonSet per
 * cluster) and in Prometheus's scrape configuration, with one image version everywhere,
 * the port Prometheus scrapes being the one it listens on, and the host root it is told
 * to read being the one mounted.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as k8s from 'kubernetes-models';
import { parse, parseDocument } from 'yaml';
import { pinnedKustomize, render, REPO_ROOT, type Dict } from './support/kustomize';

/** What node_exporter listens on unless told otherwise (`--web.listen-address`). */
const DEFAULT_PORT = 9100;
const ROOTFS_FLAG = /^--path\.rootfs=(.+)$/;

const compose = parseDocument(
  readFileSync(path.join(REPO_ROOT, 'docker-compose.yml'), 'utf8'),
).toJS({ maxAliasCount: -1 }) as { services: Record<string, Dict> };
const prometheus = parse(
  readFileSync(path.join(REPO_ROOT, 'ops', 'prometheus', 'prometheus.yml'), 'utf8'),
) as { scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }> };

describe('Node Exporter in docker-compose.yml', () => {
  const service = compose.services['node-exporter'];
  const command = (service?.command ?? []) as string[];

  it('runs in the host PID namespace with the host root mounted read-only where it reads', () => {
    expect(service).toBeDefined();
    const rootfs = command.map((arg) => ROOTFS_FLAG.exec(arg)?.[1]).find(Boolean);
    expect(service.pid).toBe('host');
    expect(service.volumes).toContain(`/:${rootfs}:ro,rslave`);
    // Prometheus reaches it on the stack's network; nothing goes on the host's ports.
    expect(service.ports).toBeUndefined();
    expect(service.network_mode).toBeUndefined();
  });

  it("is scraped by Prometheus's `node` job on the port it listens on", () => {
    const job = prometheus.scrape_configs.find((j) => j.job_name === 'node');
    expect(job?.static_configs[0].targets).toEqual([`node-exporter:${DEFAULT_PORT}`]);
    expect(command.some((arg) => arg.startsWith('--web.listen-address'))).toBe(false);
  });
});

const kustomize = pinnedKustomize();
(kustomize ? describe : describe.skip)('Node Exporter in k8s/monitoring/node-exporter', () => {
  const docs = kustomize ? render(kustomize, 'monitoring/node-exporter') : [];
  const daemonSet = docs.find((d) => d.kind === 'DaemonSet')!;
  const namespace = docs.find((d) => d.kind === 'Namespace')!;
  const pod = daemonSet?.spec.template;
  const container = pod?.spec.containers[0];

  it('validates against the Kubernetes schemas', () => {
    const models: Record<string, new (data: Dict) => { validate(): void }> = {
      Namespace: k8s.v1.Namespace,
      ServiceAccount: k8s.v1.ServiceAccount,
      DaemonSet: k8s.apps.v1.DaemonSet,
    };
    expect(docs.map((d) => d.kind).sort()).toEqual(Object.keys(models).sort());
    for (const doc of docs) expect(() => new models[doc.kind](doc).validate()).not.toThrow();
  });

  it('lives in a namespace of its own that admits its host access', () => {
    expect(namespace.metadata.name).not.toBe('messenger');
    expect(
      docs.every((d) => d.kind === 'Namespace' || d.metadata.namespace === namespace.metadata.name),
    ).toBe(true);
    expect(namespace.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });

  it('reads the host root it mounts, read-only, as a non-root user with nothing to escalate', () => {
    const rootfs = (container.args as string[])
      .map((arg) => ROOTFS_FLAG.exec(arg)?.[1])
      .find(Boolean);
    const mount = container.volumeMounts.find((m: Dict) => m.mountPath === rootfs);
    const volume = pod.spec.volumes.find((v: Dict) => v.name === mount?.name);
    expect(volume?.hostPath.path).toBe('/');
    expect(mount.readOnly).toBe(true);
    expect(pod.spec).toMatchObject({ hostPID: true, hostNetwork: true });
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
  });

  it('is scraped by annotation on the port it listens on, and runs on every node', () => {
    const listen = (container.args as string[]).find((a) => a.startsWith('--web.listen-address='));
    const port = Number(listen?.split(':').at(-1) ?? DEFAULT_PORT);
    expect(pod.metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': String(port),
    });
    expect(container.ports).toEqual([
      expect.objectContaining({ containerPort: port, hostPort: port }),
    ]);
    expect(pod.spec.tolerations).toContainEqual({ operator: 'Exists' });
  });

  it('runs the same image as docker-compose.yml', () => {
    expect(container.image).toBe(compose.services['node-exporter'].image);
  });
});
