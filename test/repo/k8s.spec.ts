/**
 * Static checks of the Kustomize manifests under k8s/. No cluster or kustomize binary is
 * needed: the kustomization tree is walked and parsed here, which catches a resource
 * listed but missing, a YAML typo, and a Deployment that lost the probes or the
 * non-root guarantee the platform relies on.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const BASE = path.join(REPO_ROOT, 'k8s', 'base');
const SERVICES = ['auth', 'profile', 'friends', 'messenger'] as const;

type Dict = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Manifest {
  file: string;
  doc: Dict;
}

const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

function kustomizationIn(dir: string): string | undefined {
  return KUSTOMIZATION_NAMES.map((name) => path.join(dir, name)).find((file) => existsSync(file));
}

function parseYamlFile(file: string): Dict[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const errors = docs.flatMap((d) =>
    d.errors.map((e) => `${path.relative(REPO_ROOT, file)}: ${e.message}`),
  );
  if (errors.length) throw new Error(errors.join('\n'));
  // A `---` at the end of a file yields an empty document; it is not a resource.
  return docs.map((d) => d.toJS() as Dict | null).filter((d): d is Dict => d !== null);
}

/**
 * Walks a kustomization and the kustomizations it lists as directory resources, the
 * way `kustomize build` does. Collects every problem instead of stopping at the first,
 * so one run shows everything that is broken.
 */
function collect(
  kustomizationFile: string,
  out: { manifests: Manifest[]; problems: string[]; visited: Set<string> },
): void {
  if (out.visited.has(kustomizationFile)) {
    out.problems.push(`kustomization cycle through ${path.relative(REPO_ROOT, kustomizationFile)}`);
    return;
  }
  out.visited.add(kustomizationFile);
  const [kustomization] = parseYamlFile(kustomizationFile);
  const dir = path.dirname(kustomizationFile);
  const rel = (p: string) => path.relative(REPO_ROOT, p);

  // Files other fields point at must exist too, even though they are not resources.
  const referenced = [
    ...((kustomization.patches ?? []) as Dict[]).map((p) => p.path).filter(Boolean),
    ...((kustomization.patchesStrategicMerge ?? []) as string[]),
    ...((kustomization.configMapGenerator ?? []) as Dict[]).flatMap((g) => g.files ?? []),
    ...((kustomization.secretGenerator ?? []) as Dict[]).flatMap((g) => g.files ?? []),
  ].map((entry: string) => entry.split('=').pop()!);
  for (const entry of referenced) {
    if (!existsSync(path.resolve(dir, entry)))
      out.problems.push(`${rel(kustomizationFile)}: missing ${entry}`);
  }

  for (const entry of [
    ...(kustomization.resources ?? []),
    ...(kustomization.components ?? []),
  ] as string[]) {
    // Remote bases (git URLs) cannot be checked offline.
    if (/^[a-z]+:\/\//i.test(entry) || entry.startsWith('github.com/')) continue;
    const target = path.resolve(dir, entry);
    if (!existsSync(target)) {
      out.problems.push(`${rel(kustomizationFile)}: resource ${entry} does not exist`);
      continue;
    }
    if (statSync(target).isDirectory()) {
      const nested = kustomizationIn(target);
      if (nested) collect(nested, out);
      else out.problems.push(`${rel(kustomizationFile)}: directory ${entry} has no kustomization`);
      continue;
    }
    try {
      for (const doc of parseYamlFile(target)) {
        if (!doc.apiVersion || !doc.kind)
          out.problems.push(`${rel(target)}: a document without apiVersion/kind`);
        out.manifests.push({ file: rel(target), doc });
      }
    } catch (err) {
      out.problems.push((err as Error).message);
    }
  }
}

function loadBase() {
  const out = { manifests: [] as Manifest[], problems: [] as string[], visited: new Set<string>() };
  const root = kustomizationIn(BASE);
  if (!root) throw new Error('k8s/base has no kustomization.yaml');
  collect(root, out);
  return out;
}

/** Effective runAsNonRoot of a container: its own setting wins over the pod's. */
function runsAsNonRoot(pod: Dict, container: Dict): boolean {
  return (container.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot) === true;
}

describe('k8s/base', () => {
  const { manifests, problems } = loadBase();
  const ofKind = (kind: string) => manifests.filter((m) => m.doc.kind === kind);
  const deployments = ofKind('Deployment');

  it('lists only resources that exist and parse as Kubernetes YAML', () => {
    expect(problems).toEqual([]);
    expect(manifests.length).toBeGreaterThan(0);
  });

  it('creates the messenger namespace', () => {
    expect(ofKind('Namespace').map((m) => m.doc.metadata?.name)).toContain('messenger');
  });

  it('has a Deployment, Service and ConfigMap for every service', () => {
    for (const service of SERVICES) {
      expect(deployments.map((m) => m.doc.metadata?.name)).toContain(service);
      expect(ofKind('Service').map((m) => m.doc.metadata?.name)).toContain(service);
      expect(ofKind('ConfigMap').map((m) => m.doc.metadata?.name)).toContain(`${service}-config`);
    }
  });

  it('ships no Secret: credentials are referenced, never committed', () => {
    expect(ofKind('Secret').map((m) => m.file)).toEqual([]);
  });

  describe.each(deployments.map((m) => [m.doc.metadata?.name as string, m] as const))(
    'Deployment %s',
    (_name, { doc }) => {
      const pod: Dict = doc.spec?.template?.spec ?? {};
      const containers: Dict[] = pod.containers ?? [];

      it('selects its own pods', () => {
        expect(doc.spec?.template?.metadata?.labels).toMatchObject(
          doc.spec?.selector?.matchLabels ?? { missing: true },
        );
      });

      it('probes liveness on /health/live and readiness on /health/ready', () => {
        expect(containers.length).toBeGreaterThan(0);
        for (const container of containers) {
          expect(container.livenessProbe?.httpGet?.path).toBe('/health/live');
          expect(container.readinessProbe?.httpGet?.path).toBe('/health/ready');
          // A named probe port must be one the container declares.
          for (const probe of [container.livenessProbe, container.readinessProbe]) {
            const port = probe.httpGet.port;
            if (typeof port === 'string') {
              expect((container.ports ?? []).map((p: Dict) => p.name)).toContain(port);
            }
          }
        }
      });

      it('runs as non-root on a read-only root filesystem', () => {
        for (const container of containers) {
          expect(runsAsNonRoot(pod, container)).toBe(true);
          expect(container.securityContext?.readOnlyRootFilesystem).toBe(true);
          expect(container.securityContext?.allowPrivilegeEscalation).toBe(false);
        }
      });

      it('sets resource requests and a memory limit', () => {
        for (const container of containers) {
          expect(container.resources?.requests).toEqual(
            expect.objectContaining({ cpu: expect.anything(), memory: expect.anything() }),
          );
          expect(container.resources?.limits?.memory).toBeDefined();
        }
      });

      it('takes DATABASE_URL from the <service>-db Secret', () => {
        const name = doc.metadata.name as string;
        const databaseUrl = containers
          .flatMap((c) => c.env ?? [])
          .find((e: Dict) => e.name === 'DATABASE_URL');
        expect(databaseUrl?.value).toBeUndefined();
        expect(databaseUrl?.valueFrom?.secretKeyRef).toEqual({ name: `${name}-db`, key: 'url' });
      });
    },
  );

  it('routes every Service to a Deployment, on ports its containers declare', () => {
    for (const { doc: service } of ofKind('Service')) {
      const target = deployments.find((d) =>
        Object.entries(service.spec?.selector ?? {}).every(
          ([k, v]) => d.doc.spec?.template?.metadata?.labels?.[k] === v,
        ),
      );
      expect({ service: service.metadata.name, routed: target !== undefined }).toEqual({
        service: service.metadata.name,
        routed: true,
      });
      const containerPorts: Dict[] = target!.doc.spec.template.spec.containers.flatMap(
        (c: Dict) => c.ports ?? [],
      );
      for (const port of service.spec.ports as Dict[]) {
        const targetPort = port.targetPort ?? port.port;
        const declared = containerPorts.some((p) =>
          typeof targetPort === 'string' ? p.name === targetPort : p.containerPort === targetPort,
        );
        expect({ service: service.metadata.name, targetPort, declared }).toEqual({
          service: service.metadata.name,
          targetPort,
          declared: true,
        });
      }
    }
  });
});
