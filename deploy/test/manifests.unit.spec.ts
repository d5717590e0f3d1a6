// The Docker Compose file, the Kubernetes manifests and the Dockerfile, checked offline against the
// source: CI can run neither Docker nor a cluster (SPEC, "Two runtimes, one code path"). The first part
// says that the shipped files pass; the second that each check catches the defect it is there for, on
// a copy of the files (or of what the source says) with that one defect put in.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  appContainer,
  checks,
  containerEnv,
  loadDeploymentFiles,
  loadSource,
  named,
  type DeploymentFiles,
  type Source,
  type Yaml,
} from './manifests.js';

let files: DeploymentFiles;
let source: Source;

beforeAll(() => {
  files = loadDeploymentFiles();
  source = loadSource();
});

/** A copy to break: nothing done to it reaches the other tests. */
const copy = <T>(value: T): T => structuredClone(value);
const copySource = (): Source => ({ ...source, services: source.services.map((s) => ({ ...s, reads: new Set(s.reads), unknownComputedReads: [...s.unknownComputedReads] })) });
const env = (f: DeploymentFiles, service: string): Yaml[] => appContainer(f, service).env;
const configMap = (f: DeploymentFiles): Record<string, string> => named(f, 'ConfigMap', 'airline-config').data;

describe('what the source runs', () => {
  it('is found: every process, its entry point, its seed port and what it reads', () => {
    const names = source.services.map((s) => s.name).sort();
    expect(names).toEqual(expect.arrayContaining(['flight', 'gateway', 'payment', 'payment-processor', 'reservation']));
    const reservation = source.services.find((s) => s.name === 'reservation')!;
    expect(reservation.mainPort).toBe(8082);
    expect([...reservation.reads]).toEqual(expect.arrayContaining(['DATABASE_URL', 'NATS_URL', 'PORT', 'HOST', 'HOLD_TTL_MS', 'SHUTDOWN_TIMEOUT_MS']));
    const gateway = source.services.find((s) => s.name === 'gateway')!;
    expect([...gateway.reads]).toEqual(expect.arrayContaining(['FLIGHT_URL', 'RESERVATION_URL', 'DATABASE_URL', 'RATE_LIMIT_MAX', 'OIDC_ISSUER']));
    // the sandbox has a database of its own (vault and ledger, issue "Trust"), but no broker
    const processor = source.services.find((s) => s.name === 'payment-processor')!;
    expect(processor.reads.has('DATABASE_URL')).toBe(true);
    expect(processor.reads.has('NATS_URL')).toBe(false);
    expect(processor.maxReplicas).toBe(1);
  });
});

describe('the shipped deployment files', () => {
  it('are Kubernetes objects with a metadata.name, each once, in the airline namespace', () => {
    expect(checks.objectsAreWellFormed(files, source)).toEqual([]);
  });

  it('list every manifest file in kustomization.yaml, and nothing else', () => {
    expect(checks.kustomizationListsEveryFile(files, source)).toEqual([]);
  });

  it('deploy every process of the source (Deployment, Service, Compose service) running its own main.ts from the one image', () => {
    expect(checks.everyServiceIsDeployed(files, source)).toEqual([]);
  });

  it('use the seed ports everywhere: main.ts, runtime/, containerPort, PORT, Service, Compose', () => {
    expect(checks.portsAgreeWithTheSeedPorts(files, source)).toEqual([]);
  });

  it('probe /health/live and /health/ready on the port the Service targets', () => {
    expect(checks.probesPointAtTheHealthEndpoints(files, source)).toEqual([]);
  });

  it('set every environment variable the code reads, in Kubernetes and in Compose', () => {
    expect(checks.everyVariableTheCodeReadsIsSet(files, source)).toEqual([]);
  });

  it('give values that work in a container: 0.0.0.0, one database per service, URLs of services that exist', () => {
    expect(checks.valuesPointAtWhatExists(files, source)).toEqual([]);
  });

  it('leave a stopping process the time to drain (grace > preStop + SHUTDOWN_TIMEOUT_MS)', () => {
    expect(checks.gracePeriodCoversTheDrain(files, source)).toEqual([]);
  });

  it('run every pod non-root, read-only, without capabilities, with resources', () => {
    expect(checks.podsAreLockedDown(files, source)).toEqual([]);
  });

  it('autoscale reservation, flight and payment on CPU, and never the single-replica sandbox', () => {
    expect(checks.autoscalingIsConsistent(files, source)).toEqual([]);
  });

  it('stay within PostgreSQL max_connections with every HPA at its maximum', () => {
    expect(checks.postgresConnectionBudget(files, source)).toEqual([]);
  });

  it('let only the gateway be reached from outside (Ingress, Service types, NetworkPolicy, Compose ports)', () => {
    expect(checks.onlyTheGatewayIsReachable(files, source)).toEqual([]);
  });

  it('start Compose services on healthy PostgreSQL and NATS, with readiness healthchecks and data on volumes', () => {
    expect(checks.composeWaitsForHealthyDependencies(files, source)).toEqual([]);
  });

  it('keep PostgreSQL and JetStream data on persistent volume claims', () => {
    expect(checks.statefulSetsKeepTheirData(files, source)).toEqual([]);
  });

  it('commit no secret: the Secret holds marked placeholders', () => {
    expect(checks.secretsArePlaceholders(files, source)).toEqual([]);
  });

  it('build the image from the lockfile on a Node LTS slim base pinned by digest, as a non-root user, running main.ts through tsx', () => {
    expect(checks.imageIsBuiltFromTheLockfile(files, source)).toEqual([]);
  });

  it("expand DATABASE_URL in Kubernetes to the service database, as the service's own role with its own Secret password", () => {
    const { values, problems } = containerEnv(files, appContainer(files, 'flight'), 'flight');
    expect(problems).toEqual([]);
    const url = new URL(values.get('DATABASE_URL')!);
    expect(url.hostname).toBe('postgres');
    expect(url.pathname).toBe('/airline_flight');
    expect(url.username).toBe('airline_flight');
    expect(url.password).toBe(named(files, 'Secret', 'airline-secrets').stringData.PG_PASSWORD_FLIGHT);
  });
});

describe('each check finds the defect it is there for', () => {
  it('a variable the code reads that a Deployment does not set', () => {
    const f = copy(files);
    delete configMap(f).HOLD_TTL_MS;
    expect(checks.everyVariableTheCodeReadsIsSet(f, source)).toContain('reservation reads HOLD_TTL_MS; its Deployment does not set it');
  });

  it('a variable the code reads that Compose does not set', () => {
    const f = copy(files);
    delete f.compose.services.payment.environment.PAYMENT_PROCESSOR_URL;
    expect(checks.everyVariableTheCodeReadsIsSet(f, source)).toContain('payment reads PAYMENT_PROCESSOR_URL; its Compose service does not set it');
  });

  it('a new variable in the source that no manifest knows yet', () => {
    const s = copySource();
    s.services.find((x) => x.name === 'flight')!.reads.add('SEAT_MAP_URL');
    const problems = checks.everyVariableTheCodeReadsIsSet(files, s);
    expect(problems).toContain('flight reads SEAT_MAP_URL; its Deployment does not set it');
    expect(problems).toContain('flight reads SEAT_MAP_URL; its Compose service does not set it');
  });

  it('a misspelt variable: set, but read by nobody', () => {
    const f = copy(files);
    configMap(f).HOLD_TTL = '900000';
    f.compose.services.reservation.environment.HOLD_TTL = '900000';
    const problems = checks.everyVariableTheCodeReadsIsSet(f, source);
    expect(problems).toContain('ConfigMap airline-config has HOLD_TTL, which nothing reads');
    expect(problems).toContain('Compose sets HOLD_TTL for reservation, which does not read it');
  });

  it('a reference to a Secret key that does not exist', () => {
    const f = copy(files);
    env(f, 'payment').find((e: Yaml) => e.name === 'PG_PASSWORD').valueFrom.secretKeyRef.key = 'PASSWORD';
    expect(checks.everyVariableTheCodeReadsIsSet(f, source)).toContain('payment: PG_PASSWORD refers to Secret airline-secrets key PASSWORD, which does not exist');
  });

  it('a $(VAR) that is not defined before it', () => {
    const f = copy(files);
    const list = env(f, 'flight');
    const password = list.findIndex((e: Yaml) => e.name === 'PG_PASSWORD');
    list.push(...list.splice(password, 1)); // now defined after DATABASE_URL uses it
    expect(checks.everyVariableTheCodeReadsIsSet(f, source)).toContain('flight: DATABASE_URL uses $(PG_PASSWORD), which is not defined before it (the kubelet would leave it as is)');
  });

  it('a readiness probe on the wrong path, and a liveness probe on a port the Service does not target', () => {
    const f = copy(files);
    appContainer(f, 'payment').readinessProbe.httpGet.path = '/health';
    appContainer(f, 'payment').livenessProbe.httpGet.port = 9999;
    const problems = checks.probesPointAtTheHealthEndpoints(f, source);
    expect(problems).toContain('payment: readinessProbe asks /health, not /health/ready');
    expect(problems).toContain('payment: livenessProbe probes port 9999, which the Service does not target');
  });

  it('a Deployment without a liveness probe', () => {
    const f = copy(files);
    delete appContainer(f, 'flight').livenessProbe;
    expect(checks.probesPointAtTheHealthEndpoints(f, source)).toContain('flight: no livenessProbe');
  });

  it('a port that differs from the seed port, in the manifests or in the source', () => {
    const f = copy(files);
    appContainer(f, 'flight').ports[0].containerPort = 8080;
    f.compose.services.reservation.environment.PORT = '8092';
    const problems = checks.portsAgreeWithTheSeedPorts(f, source);
    expect(problems).toContain('flight: containerPort 8080, not 8083');
    expect(problems).toContain('reservation: Compose sets PORT=8092, not 8082');

    const s = copySource();
    s.services.find((x) => x.name === 'payment')!.mainPort = 8090; // main.ts moved, the manifests did not
    expect(checks.portsAgreeWithTheSeedPorts(files, s)).toContain('payment: containerPort 8084, not 8090');
  });

  it('a Service whose selector misses the pods', () => {
    const f = copy(files);
    named(f, 'Service', 'dashboard').spec.selector['app.kubernetes.io/name'] = 'dashbaord';
    expect(checks.portsAgreeWithTheSeedPorts(f, source)).toContain('dashboard: the Service selector does not select the Deployment\'s pods');
  });

  it('a service of the source without manifests, and a Deployment running another entry point', () => {
    const s = copySource();
    s.services.push({ ...s.services[0]!, name: 'loyalty', main: 'services/loyalty/src/main.ts', mainExists: false });
    const problems = checks.everyServiceIsDeployed(files, s);
    expect(problems).toContain('loyalty: no Deployment');
    expect(problems).toContain('loyalty: no Compose service');
    expect(problems).toContain('loyalty: its entry point services/loyalty/src/main.ts does not exist (the manifests run it)');

    const f = copy(files);
    appContainer(f, 'mileage').args = ['services/flight/src/main.ts'];
    expect(checks.everyServiceIsDeployed(f, source)).toContain('mileage: the Deployment runs ["services/flight/src/main.ts"], not ["services/mileage/src/main.ts"]');
  });

  it('HOST left at loopback, two services on one database, a gateway upstream pointing at the wrong service', () => {
    const f = copy(files);
    configMap(f).HOST = '127.0.0.1';
    f.compose.services.mileage.environment.DATABASE_URL = f.compose.services.flight.environment.DATABASE_URL;
    f.compose.services.gateway.environment.RESERVATION_URL = 'http://flight:8083';
    const problems = checks.valuesPointAtWhatExists(f, source);
    expect(problems).toContain('flight (Deployment): HOST=127.0.0.1; in a container it must be 0.0.0.0 (probes and other pods connect from outside)');
    expect(problems).toContain('mileage (Compose): DATABASE_URL names database airline_flight, not airline_mileage');
    expect(problems).toContain('gateway (Compose): RESERVATION_URL=http://flight:8083/ does not point at reservation');
  });

  it('a NATS_URL naming a host that is not deployed', () => {
    const f = copy(files);
    configMap(f).NATS_URL = 'nats://nats-cluster:4222';
    expect(checks.valuesPointAtWhatExists(f, source)).toContain('flight (Deployment): NATS_URL points at nats-cluster:4222: no Service nats-cluster');
  });

  it('a service that logs in as the admin, or with a password its role was not given', () => {
    const f = copy(files);
    const env = (service: string) => appContainer(f, service).env as Yaml[];
    env('flight').find((e) => e.name === 'DATABASE_URL').value = 'postgres://$(PG_USER):$(PG_PASSWORD)@$(PG_HOST):$(PG_PORT)/airline_flight';
    env('payment').find((e) => e.name === 'PG_PASSWORD').valueFrom.secretKeyRef.key = 'PG_PASSWORD_FLIGHT';
    const problems = checks.valuesPointAtWhatExists(f, source);
    expect(problems).toContain('flight (Deployment): DATABASE_URL logs in as airline, not its own role airline_flight');
    expect(problems).toContain('flight (Deployment): logs in as the admin');
    expect(problems).toContain("payment (Deployment): DATABASE_URL's password is not the PG_PASSWORD_PAYMENT the migrations Job gives its role");
  });

  it('a database password the server was not given', () => {
    const f = copy(files);
    f.compose.services.flight.environment.DATABASE_URL = 'postgres://airline:other@postgres:5432/airline_flight';
    expect(checks.valuesPointAtWhatExists(f, source)).toContain("flight (Compose): DATABASE_URL's user/password are not postgres's POSTGRES_USER/POSTGRES_PASSWORD");
  });

  it('a grace period shorter than the drain', () => {
    const f = copy(files);
    named(f, 'Deployment', 'reservation').spec.template.spec.terminationGracePeriodSeconds = 30; // 5 s preStop + 25 s drain
    f.compose.services.payment.stop_grace_period = '10s';
    const problems = checks.gracePeriodCoversTheDrain(f, source);
    expect(problems).toContain('reservation: terminationGracePeriodSeconds 30 ≤ preStop 5 s + SHUTDOWN_TIMEOUT_MS 25 s');
    expect(problems).toContain('payment: Compose stop_grace_period 10 s ≤ SHUTDOWN_TIMEOUT_MS 25 s');
  });

  it('a pod that may run as root, write its root filesystem, or has no /tmp for tsx', () => {
    const f = copy(files);
    delete named(f, 'Deployment', 'gateway').spec.template.spec.securityContext.runAsNonRoot;
    appContainer(f, 'flight').securityContext.readOnlyRootFilesystem = false;
    appContainer(f, 'payment').volumeMounts = [];
    const problems = checks.podsAreLockedDown(f, source);
    expect(problems).toContain('Deployment gateway: runAsNonRoot is not true');
    expect(problems).toContain('Deployment flight: the root filesystem is writable');
    expect(problems).toContain('Deployment payment: no writable /tmp (tsx compiles into it)');
    f.dockerfile = f.dockerfile.replace(/^USER node$/m, '');
    expect(checks.podsAreLockedDown(f, source)).toContain('deploy/Dockerfile runs as root (no USER)');
  });

  it('a ScaledObject aimed at a Deployment that does not exist, one missing a consumer, a missing gateway HPA, a scaled sandbox', () => {
    const f = copy(files);
    const scaled = (name: string) => f.k8s.find((o) => o.object.kind === 'ScaledObject' && o.object.metadata.name === name)!.object;
    scaled('flight').spec.scaleTargetRef.name = 'flights';
    scaled('payment').spec.triggers = scaled('payment').spec.triggers.filter((t: Yaml) => t.metadata?.consumer !== 'airline-payment-ReservationCancelled');
    f.k8s = f.k8s.filter((o) => o.object.kind !== 'HorizontalPodAutoscaler');
    named(f, 'Deployment', 'payment-processor').spec.replicas = 2;
    const problems = checks.autoscalingIsConsistent(f, source);
    expect(problems).toContain('flight: no ScaledObject');
    expect(problems).toContain('ScaledObject flight: targets Deployment flights, which is no Deployment here');
    expect(problems).toContain('ScaledObject payment: triggers on consumers airline-payment-SeatsReserved, not the service\'s airline-payment-ReservationCancelled, airline-payment-SeatsReserved');
    expect(problems).toContain('gateway: no HorizontalPodAutoscaler');
    expect(problems).toContain('payment-processor: 2 replicas; runtime/cluster.ts allows 1');
  });

  it('a new event type a service consumes that its ScaledObject does not watch', () => {
    const f = copy(files);
    const so = f.k8s.find((o) => o.object.kind === 'ScaledObject' && o.object.metadata.name === 'reservation')!.object;
    so.spec.triggers[0].metadata.consumer = 'airline-reservation-FlightRegistred';
    expect(checks.autoscalingIsConsistent(f, source).some((p) => p.startsWith('ScaledObject reservation: triggers on consumers'))).toBe(true);
  });

  it('a Deployment that fights its autoscaler over the replica count', () => {
    const f = copy(files);
    named(f, 'Deployment', 'reservation').spec.replicas = 2;
    named(f, 'Deployment', 'gateway').spec.replicas = 2;
    const problems = checks.autoscalingIsConsistent(f, source);
    expect(problems).toContain('Deployment reservation: sets replicas although ScaledObject reservation owns the count (every apply would reset it)');
    expect(problems).toContain('Deployment gateway: sets replicas although HPA gateway owns the count (every apply would reset it)');
  });

  it('more database connections at full scale than PostgreSQL allows', () => {
    const f = copy(files);
    configMap(f).PG_POOL_MAX = '20';
    expect(checks.postgresConnectionBudget(f, source)[0]).toMatch(/^PostgreSQL: \d+ connections at full scale .* > max_connections 200 − 13$/);
  });

  it('an Ingress path to another service, a LoadBalancer Service, a NetworkPolicy opening another pod', () => {
    const f = copy(files);
    const ingress = named(f, 'Ingress', 'airline');
    ingress.spec.rules[0].http.paths.push({ path: '/flights', pathType: 'Prefix', backend: { service: { name: 'flight', port: { number: 8083 } } } });
    named(f, 'Service', 'reservation').spec.type = 'LoadBalancer';
    named(f, 'NetworkPolicy', 'allow-gateway-from-ingress').spec.podSelector = {};
    const problems = checks.onlyTheGatewayIsReachable(f, source);
    expect(problems).toContain('Ingress airline routes to flight, not the gateway');
    expect(problems).toContain('Service reservation is LoadBalancer: only the Ingress may expose anything');
    expect(problems.some((p) => p.startsWith('NetworkPolicy allow-gateway-from-ingress admits traffic from outside the namespace to ') && p.includes('flight'))).toBe(true);
  });

  it('no default-deny NetworkPolicy, and a Compose service other than the gateway published', () => {
    const f = copy(files);
    f.k8s = f.k8s.filter((o) => o.object.metadata?.name !== 'default-deny-ingress');
    f.compose.services.flight.ports = ['8083:8083'];
    const problems = checks.onlyTheGatewayIsReachable(f, source);
    expect(problems).toContain('no NetworkPolicy denies ingress to every pod by default');
    expect(problems).toContain('Compose publishes ports of flight');
  });

  it('a Compose service that starts before PostgreSQL is healthy, or checks liveness instead of readiness', () => {
    const f = copy(files);
    f.compose.services.notification.depends_on = { nats: { condition: 'service_healthy' } };
    f.compose.services.dashboard.healthcheck.test = ['CMD', 'node', '-e', "fetch('http://127.0.0.1:' + process.env.PORT + '/health/live')"];
    const problems = checks.composeWaitsForHealthyDependencies(f, source);
    expect(problems).toContain('notification (Compose): reads DATABASE_URL but does not wait for postgres to be healthy');
    expect(problems).toContain('dashboard (Compose): the healthcheck does not ask /health/ready');
  });

  it('JetStream without its store on a volume, in Compose and in Kubernetes', () => {
    const f = copy(files);
    f.compose.services.nats.volumes = [];
    const nats = named(f, 'StatefulSet', 'nats');
    nats.spec.template.spec.containers[0].args = ['-js', '-sd', '/var/lib/nats', '-m', '8222'];
    expect(checks.composeWaitsForHealthyDependencies(f, source)).toContain('nats (Compose): the JetStream store (/data) is not on a named volume');
    expect(checks.statefulSetsKeepTheirData(f, source)).toContain('nats: /var/lib/nats is not on a persistent volume claim');
  });

  it('a real-looking password committed in the Secret', () => {
    const f = copy(files);
    named(f, 'Secret', 'airline-secrets').stringData.PG_PASSWORD = 'hunter2';
    expect(checks.secretsArePlaceholders(f, source)).toEqual(['Secret airline-secrets key PG_PASSWORD is not a CHANGE-ME placeholder']);
  });

  it('a manifest file kustomization.yaml does not list', () => {
    const f = copy(files);
    f.k8sFiles.push('keda.yaml');
    f.kustomization.resources = f.kustomization.resources.filter((r: string) => r !== 'nats.yaml');
    const problems = checks.kustomizationListsEveryFile(f, source);
    expect(problems).toContain('deploy/k8s/keda.yaml is not listed in kustomization.yaml resources');
    expect(problems).toContain('deploy/k8s/nats.yaml is not listed in kustomization.yaml resources');
  });

  it('an object without a name or in another namespace', () => {
    const f = copy(files);
    delete named(f, 'Service', 'nats').metadata.name;
    named(f, 'ConfigMap', 'airline-config').metadata.namespace = 'default';
    const problems = checks.objectsAreWellFormed(f, source);
    expect(problems).toContain('nats.yaml: Service/? has no metadata.name');
    expect(problems).toContain('config.yaml: ConfigMap/airline-config is in namespace default, not airline');
  });

  it('an image that fetches beyond npm, installs without the lockfile, or starts something that is no service', () => {
    const f = copy(files);
    f.dockerfile = f.dockerfile
      .replace('npm ci --include=dev', 'npm install')
      .replace('USER node', 'RUN apt-get update && apt-get install -y curl\nUSER node')
      .replace('CMD ["services/gateway/src/main.ts"]', 'CMD ["runtime/embedded.ts"]');
    const problems = checks.imageIsBuiltFromTheLockfile(f, source);
    expect(problems).toContain('deploy/Dockerfile: no npm ci');
    expect(problems).toContain('deploy/Dockerfile fetches something beyond npm (\\bapt(-get)?\\b)');
    expect(problems).toContain('deploy/Dockerfile: CMD runtime/embedded.ts is no service\'s main.ts');
  });

  it('an exec probe using $(VAR), which Kubernetes does not expand there', () => {
    const f = copy(files);
    named(f, 'StatefulSet', 'postgres').spec.template.spec.containers[0].readinessProbe.exec.command = ['pg_isready', '-U', '$(POSTGRES_USER)'];
    expect(checks.probesPointAtTheHealthEndpoints(f, source)).toContain('postgres: readinessProbe uses $(VAR), which Kubernetes does not expand in probes');
  });

  it('a computed environment read the spec cannot name', () => {
    const s = copySource();
    s.services.find((x) => x.name === 'payment')!.unknownComputedReads.push('services/payment/src/main.ts: process.env[key]');
    expect(checks.everyVariableTheCodeReadsIsSet(files, s)).toContain(
      'payment: services/payment/src/main.ts: process.env[key] reads a variable this spec cannot name; teach deploy/test/manifests.ts how',
    );
  });

  it('a replicated service without a disruption budget, a budget that blocks drains, replicas that may share a node', () => {
    const f = copy(files);
    f.k8s = f.k8s.filter((o) => !(o.object.kind === 'PodDisruptionBudget' && o.object.metadata.name === 'mileage'));
    const flightBudget = named(f, 'PodDisruptionBudget', 'flight');
    delete flightBudget.spec.maxUnavailable;
    flightBudget.spec.minAvailable = 2;
    named(f, 'Deployment', 'payment').spec.template.spec.topologySpreadConstraints.pop();
    named(f, 'Deployment', 'dashboard').spec.template.spec.topologySpreadConstraints[0].whenUnsatisfiable = 'DoNotSchedule';
    f.k8s.push({ file: 'pdb.yaml', object: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'sandbox' }, spec: { minAvailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'payment-processor' } } } } });
    const problems = checks.disruptionsAreBudgeted(f, source);
    expect(problems).toContain('Deployment mileage: 0 PodDisruptionBudgets select its pods, not one');
    expect(problems).toContain('PodDisruptionBudget flight allows no eviction of flight at 2 replicas');
    expect(problems).toContain('Deployment payment: replicas are not spread over kubernetes.io/hostname');
    expect(problems).toContain('Deployment dashboard: its topology.kubernetes.io/zone spread may block scheduling (DoNotSchedule)');
    expect(problems).toContain('PodDisruptionBudget sandbox allows no eviction of single-replica payment-processor: every node drain would block');
  });

  it('a Service without the metrics port the ServiceMonitor scrapes, and alert rules that drifted from the tested file', () => {
    const f = copy(files);
    const mileage = named(f, 'Service', 'mileage');
    mileage.spec.ports = mileage.spec.ports.filter((p: Yaml) => p.name !== 'metrics');
    named(f, 'PrometheusRule', 'airline').spec.groups[0].rules[1].expr = 'max by (service) (airline_outbox_oldest_age_seconds) > 300';
    const problems = checks.monitoringCoversEveryProcess(f, source);
    expect(problems).toContain('ServiceMonitor airline scrapes port metrics, which Service mileage does not have');
    expect(problems).toContain('PrometheusRule airline differs from deploy/prometheus/alerts.yaml (the file promtool tests)');
    expect(checks.portsAgreeWithTheSeedPorts(f, source)).toContain('mileage: the Service has no port named metrics (the ServiceMonitor scrapes it)');
  });

  it('a NetworkPolicy that lets the monitoring namespace reach a pod on another port than its metrics port', () => {
    const f = copy(files);
    const policy = named(f, 'NetworkPolicy', 'allow-metrics-from-monitoring');
    policy.spec.ingress[0].ports = [{ protocol: 'TCP', port: 5432 }];
    policy.spec.podSelector.matchExpressions[0].values.push('postgres');
    const problems = checks.onlyTheGatewayIsReachable(f, source);
    expect(problems).toContain('NetworkPolicy allow-metrics-from-monitoring admits traffic from outside the namespace to postgres');
    expect(problems).toContain('NetworkPolicy allow-metrics-from-monitoring admits outsiders to flight on 5432, not only the port its Service names metrics');
  });

  it('a base image that is not pinned by digest, or not a supported Node LTS', () => {
    const f = copy(files);
    const pinned = /^FROM node:22-bookworm-slim@sha256:[0-9a-f]{64}$/m;
    expect(f.dockerfile).toMatch(pinned);
    f.dockerfile = files.dockerfile.replace(pinned, 'FROM node:22-bookworm-slim');
    expect(checks.imageIsBuiltFromTheLockfile(f, source)).toContain('deploy/Dockerfile: the image is based on node:22-bookworm-slim, not a node:<LTS>-slim image pinned by @sha256 digest');
    f.dockerfile = files.dockerfile.replace(pinned, `FROM node:20-slim@sha256:${'a'.repeat(64)}`);
    expect(checks.imageIsBuiltFromTheLockfile(f, source)).toContain('deploy/Dockerfile: Node 20 is not a supported LTS line (22 or 24)');
  });
});
