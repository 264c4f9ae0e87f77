package dev.slipway.deploy.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.SlipwayException;
import dev.slipway.config.ConfigException;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rendered manifests of myapp: a golden file (re-record with {@code -Dgolden.record=true}),
 * parsed back strictly into fabric8's models, with the probe, resource, strategy, grace-period and
 * secret rules checked field by field; the canary replica math; image and config errors.
 */
class ManifestsTest {
    static final Path REPO = Path.of(System.getProperty("slipway.repo", "..")).toAbsolutePath().normalize();
    static final Path GOLDEN = REPO.resolve("slipway-cli/src/test/resources/dev/slipway/deploy/kubernetes/myapp.golden.yaml");
    static final String IMAGE = "registry.test/myorg/myapp@sha256:" + "0123456789abcdef".repeat(4);
    static final KubeRelease RELEASE = new KubeRelease(IMAGE, "1.2.3", "50fdb17e0c1d2a3b4c5d6e7f8091a2b3c4d5e6f7");

    @TempDir
    Path dir;

    static SlipwayConfig myapp() {
        return ConfigLoader.loadFromDir(REPO.resolve("examples/myapp"));
    }

    @Test
    void myappMatchesTheGoldenFileAndParsesBackStrictly() throws Exception {
        String yaml = Manifests.of(myapp(), RELEASE).yaml();
        if (Boolean.getBoolean("golden.record")) {
            Files.writeString(GOLDEN, yaml, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(GOLDEN), yaml, "re-record with -Dgolden.record=true after a deliberate change");

        List<HasMetadata> objects = ManifestCheck.parse(yaml);
        assertEquals(List.of("Service", "Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget"),
                objects.stream().map(HasMetadata::getKind).toList());
        Deployment d = (Deployment) objects.get(1);
        assertEquals("production", d.getMetadata().getNamespace());
        assertEquals("1.2.3", d.getMetadata().getAnnotations().get("slipway.dev/version"));
        assertEquals(RELEASE.commit(), d.getMetadata().getAnnotations().get("slipway.dev/commit"));
        assertEquals("1.2.3", d.getSpec().getTemplate().getMetadata().getLabels().get("app.kubernetes.io/version"));
        assertNull(d.getSpec().getReplicas(), "with an HPA the Deployment leaves the count to it");
        assertEquals("RollingUpdate", d.getSpec().getStrategy().getType());
        assertEquals(1, d.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntVal());
        assertEquals(0, d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal());
        assertEquals(300, d.getSpec().getProgressDeadlineSeconds());
        assertEquals(30 + 5, d.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds(),
                "drainTimeout 30s + preStopDelay 5s");
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals(IMAGE, c.getImage());
        assertEquals(5L, c.getLifecycle().getPreStop().getSleep().getSeconds());
        assertEquals("/health/ready", c.getReadinessProbe().getHttpGet().getPath());
        assertEquals("http", c.getReadinessProbe().getHttpGet().getPort().getStrVal());
        assertEquals(1, c.getReadinessProbe().getPeriodSeconds());
        assertEquals("/health/live", c.getLivenessProbe().getHttpGet().getPath());
        assertEquals(30, c.getLivenessProbe().getFailureThreshold(), "liveness timeout 30s / interval 1s");
        assertEquals("100m", c.getResources().getRequests().get("cpu").toString());
        assertEquals("384Mi", c.getResources().getLimits().get("memory").toString());
        assertEquals(8080, c.getPorts().get(0).getContainerPort());
        var secret = c.getEnv().stream().filter(e -> e.getName().equals("DATABASE_URL")).findFirst().orElseThrow();
        assertNull(secret.getValue(), "a secret variable has no value in the manifest");
        assertEquals("myapp-db", secret.getValueFrom().getSecretKeyRef().getName());
        assertEquals("database-url", secret.getValueFrom().getSecretKeyRef().getKey());
        assertTrue(c.getEnv().stream().anyMatch(e -> e.getName().equals("TRACK") && e.getValue().equals("stable")));
        HorizontalPodAutoscaler h = (HorizontalPodAutoscaler) objects.get(2);
        assertEquals(3, h.getSpec().getMinReplicas());
        assertEquals(20, h.getSpec().getMaxReplicas());
        assertEquals(60, h.getSpec().getMetrics().get(0).getResource().getTarget().getAverageUtilization());
        assertEquals(300, h.getSpec().getBehavior().getScaleDown().getStabilizationWindowSeconds());
        assertEquals("Percent", h.getSpec().getBehavior().getScaleUp().getPolicies().get(0).getType());
        PodDisruptionBudget p = (PodDisruptionBudget) objects.get(3);
        assertEquals(2, p.getSpec().getMinAvailable().getIntVal());
        assertEquals(java.util.Map.of("app", "myapp"), p.getSpec().getSelector().getMatchLabels(),
                "the budget covers both tracks, so a canary's pods count too");
    }

    @Test
    void noSecretValueAppearsInTheManifests() throws Exception {
        Files.writeString(dir.resolve("slipway.yaml"), """
                name: svc
                service: {env: {PLAIN: visible}}
                deploy:
                  kubernetes:
                    secretEnv:
                      API_TOKEN: {secret: svc-secrets, key: api-token}
                """);
        String yaml = Manifests.of(ConfigLoader.loadFromDir(dir), RELEASE).yaml();
        assertTrue(yaml.contains("secretKeyRef"));
        assertTrue(yaml.contains("visible"));
        // the only mention of the secret variable is its name and reference
        assertEquals(1, yaml.split("API_TOKEN", -1).length - 1);
        assertFalse(yaml.matches("(?s).*name: \"API_TOKEN\"\\s*\\n\\s*value:.*"), yaml);
    }

    @Test
    void theCheckRejectsUnknownFieldsAndMissingRequiredOnes() {
        String good = Manifests.of(myapp(), RELEASE).yaml();
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> ManifestCheck.parse(good.replace("progressDeadlineSeconds:", "progressDeadline:")));
        assertTrue(unknown.getMessage().contains("unknown field(s) [progressDeadline]"), unknown.getMessage());
        IllegalArgumentException selector = assertThrows(IllegalArgumentException.class,
                () -> ManifestCheck.parse(good.replace("      track: \"stable\"\n  strategy:", "      track: \"other\"\n  strategy:")));
        assertTrue(selector.getMessage().contains("spec.selector does not match"), selector.getMessage());
        IllegalArgumentException kind = assertThrows(IllegalArgumentException.class,
                () -> ManifestCheck.parse("apiVersion: v9\nkind: Nothing\nmetadata: {name: x}\n"));
        assertTrue(kind.getMessage().contains("unknown apiVersion/kind"), kind.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ManifestCheck.parse(good.replace("image: \"" + IMAGE + "\"", "image: \"\"")));
    }

    @Test
    void canaryPodsAreAddedBesideStableAndTheRealWeightIsReported() {
        CanarySplit tenth = CanarySplit.surge(10, 10);
        assertEquals(List.of(1, 10), List.of(tenth.canary(), tenth.stable()), "stable never shrinks");
        assertEquals(100.0 / 11, tenth.realPercent(), 1e-9);
        CanarySplit third = CanarySplit.surge(3, 10);
        assertEquals(List.of(1, 3), List.of(third.canary(), third.stable()));
        assertEquals("1 canary pod beside 3 stable: real weight 25.0% (requested 10%)", third.describe());
        CanarySplit half = CanarySplit.surge(3, 50);
        assertEquals(List.of(3, 3), List.of(half.canary(), half.stable()));
        assertEquals(50.0, half.realPercent(), 1e-9);
        CanarySplit up = CanarySplit.surge(10, 25);
        assertEquals(3, up.canary(), "10 x 25/75 = 3.33 rounds to 3");
        assertEquals(300.0 / 13, up.realPercent(), 1e-9);
        assertEquals(10, CanarySplit.surge(10, 90).canary(), "at most as many canary pods as stable ones");
        assertEquals(10, CanarySplit.surge(10, 100).canary());
        assertEquals(0, CanarySplit.surge(3, 0).canary(), "weight 0: no canary pod");
        assertEquals(1, CanarySplit.surge(1, 10).canary(), "at least one canary pod");
        assertThrows(IllegalArgumentException.class, () -> CanarySplit.surge(3, 101));
        assertThrows(IllegalArgumentException.class, () -> CanarySplit.surge(0, 10));
    }

    @Test
    void theImageMustBePinnedByDigest() throws Exception {
        Files.writeString(dir.resolve("slipway.yaml"), "name: svc\n");
        SlipwayConfig c = ConfigLoader.loadFromDir(dir);
        SlipwayException none = assertThrows(SlipwayException.class, () -> KubeRelease.resolve(c, null));
        assertEquals(2, none.exitCode());
        assertTrue(none.getMessage().contains("run 'slipway image --push REGISTRY/REPOSITORY' after it"), none.getMessage());
        SlipwayException tag = assertThrows(SlipwayException.class, () -> KubeRelease.resolve(c, "svc:1.0"));
        assertTrue(tag.getMessage().contains("not pinned by digest"), tag.getMessage());

        // slipway image's record in dist/artifacts.json: the digest wins over a tag in the reference
        Files.createDirectories(dir.resolve("dist"));
        Files.writeString(dir.resolve("dist/artifacts.json"), """
                {"name": "svc", "version": "2.0.0", "commit": "abcdef1234",
                 "artifacts": [{"kind": "single-file", "path": "dist/x"},
                               {"kind": "image", "reference": "registry.test/svc:2.0.0",
                                "digest": "sha256:%s"}]}
                """.formatted("e".repeat(64)));
        KubeRelease r = KubeRelease.resolve(c, null);
        assertEquals("registry.test/svc@sha256:" + "e".repeat(64), r.image());
        assertEquals("2.0.0", r.version());
        assertEquals("abcdef1", r.shortCommit());
        assertEquals(IMAGE, KubeRelease.resolve(c, IMAGE).image(), "--image wins");

        // the format of 'slipway image' (issue 5): the pushed references carry the digest
        String digest = "sha256:" + "f".repeat(64);
        Files.writeString(dir.resolve("dist/artifacts.json"), """
                {"name": "svc", "version": "3.0.0", "commit": "c0ffee00",
                 "artifacts": [],
                 "image": {"path": "dist/svc_3.0.0_image", "format": "oci-layout", "index": "%s",
                           "tags": ["3.0.0"], "pushed": []}}
                """.formatted(digest));
        SlipwayException unpushed = assertThrows(SlipwayException.class, () -> KubeRelease.resolve(c, null));
        assertTrue(unpushed.getMessage().contains("built but not pushed"), unpushed.getMessage());
        Files.writeString(dir.resolve("dist/artifacts.json"), Files.readString(dir.resolve("dist/artifacts.json"))
                .replace("\"pushed\": []", "\"pushed\": [\"registry.test/svc:3.0.0@" + digest + "\"]"));
        KubeRelease pushed = KubeRelease.resolve(c, null);
        assertEquals("registry.test/svc:3.0.0@" + digest, pushed.image());
        assertEquals("3.0.0", pushed.version());
    }

    @Test
    void badKubernetesConfigIsAConfigErrorAtItsLine() throws Exception {
        record Case(String yaml, String message) {}
        for (Case k : List.of(
                new Case("    image: svc:1.0\n", "not pinned by digest"),
                new Case("    hpa: {maxReplicas: 5, cpu: 60}\n", "needs resources.requests.cpu"),
                new Case("    pdb: {minAvailable: 1, maxUnavailable: 1}\n", "exactly one of"),
                new Case("    pdb: {minAvailable: 3}\n", "must be below the replica count 3"),
                new Case("    resources: {requests: {memory: 1Gi}, limits: {memory: 512Mi}}\n", "above its limit"),
                new Case("    resources: {requests: {cpu: lots}}\n", "not a CPU quantity"),
                new Case("    secretEnv: {PORT: {secret: s, key: k}}\n", "set by Slipway"),
                new Case("    secretEnv: {X: {secret: Bad_Name, key: k}}\n", "not a Secret name"),
                new Case("    strategy: {maxSurge: 0, maxUnavailable: 0}\n", "cannot both be 0"),
                new Case("    namespace: Prod\n", "not a namespace name"))) {
            Files.writeString(dir.resolve("slipway.yaml"), "name: svc\ndeploy:\n  kubernetes:\n" + k.yaml());
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.loadFromDir(dir), k.yaml());
            assertTrue(e.getMessage().contains(k.message()), e.getMessage());
            assertTrue(e.getMessage().contains("slipway.yaml:4:"), "points at line 4: " + e.getMessage());
        }
    }

    static final Path GOLDEN_TCP = REPO.resolve("slipway-cli/src/test/resources/dev/slipway/deploy/kubernetes/framework-tcp.golden.yaml");

    /**
     * A framework-shaped service with no health endpoint: tcp probes become tcpSocket on port http;
     * service.env goes as written, {@code ${PORT}}/{@code ${ADDR}} included, for the image's
     * slipway-start to expand from the pod's PORT and ADDR (the image names those variables); a
     * {@code $} of a service.env value is doubled so that Kubernetes' own {@code $(VAR)} expansion
     * leaves the value as written, while deploy.kubernetes.env keeps Kubernetes' meaning, its
     * {@code ${PORT}} expanded to the container port.
     */
    @Test
    void tcpProbesAndReferencesMatchTheirGoldenFile() throws Exception {
        Files.writeString(dir.resolve("slipway.yaml"), """
                name: quick
                service:
                  port: 8081
                  env:
                    QUARKUS_HTTP_PORT: "${PORT}"
                    QUARKUS_HTTP_HOST: "${ADDR}"
                    GREETING: "costs $5 or $(PRICE) or ${PORT}$"
                  args: [serve, "--port=${PORT}"]
                  readiness: {type: tcp, timeout: 90s, startupGrace: 2s}
                deploy:
                  kubernetes:
                    replicas: 2
                    env:
                      POD_URL: "http://$(POD_IP):${PORT}/"
                """);
        String yaml = Manifests.of(ConfigLoader.loadFromDir(dir), RELEASE).yaml();
        if (Boolean.getBoolean("golden.record")) {
            Files.writeString(GOLDEN_TCP, yaml, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(GOLDEN_TCP), yaml, "re-record with -Dgolden.record=true after a deliberate change");
        Deployment d = (Deployment) ManifestCheck.parse(yaml).get(1);
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertNull(c.getReadinessProbe().getHttpGet());
        assertEquals("http", c.getReadinessProbe().getTcpSocket().getPort().getStrVal());
        assertNull(c.getReadinessProbe().getInitialDelaySeconds(), "the startupProbe holds the readiness probe back");
        assertEquals(2 + 90, c.getStartupProbe().getFailureThreshold(), "startupGrace 2s + readiness timeout 90s, at 1s");
        assertEquals("http", c.getStartupProbe().getTcpSocket().getPort().getStrVal());
        assertEquals("http", c.getLivenessProbe().getTcpSocket().getPort().getStrVal(), "liveness follows a tcp readiness");
        assertEquals(8081, c.getPorts().get(0).getContainerPort());
        java.util.Map<String, String> env = new java.util.LinkedHashMap<>();
        c.getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
        assertEquals("$${PORT}", env.get("QUARKUS_HTTP_PORT"), "the pod sees ${PORT}");
        assertEquals("$${ADDR}", env.get("QUARKUS_HTTP_HOST"));
        assertEquals("costs $$5 or $$(PRICE) or $${PORT}$$", env.get("GREETING"), "Kubernetes reduces $$ to $: the pod sees"
                + " 'costs $5 or $(PRICE) or ${PORT}$'");
        assertEquals(java.util.List.of("GREETING", "QUARKUS_HTTP_HOST", "QUARKUS_HTTP_PORT"),
                dev.slipway.image.ImageBuilder.expandedEnv(ConfigLoader.loadFromDir(dir)),
                "the image's slipway-start expands them from the pod's PORT (8081) and ADDR when it starts");
        assertEquals("http://$(POD_IP):8081/", env.get("POD_URL"), "deploy.kubernetes.env keeps $(VAR) for Kubernetes");
    }

    /**
     * A gRPC server: its grpc probes become Kubernetes' native {@code grpc} probes (1.24+) on the
     * service's port number (GRPCAction takes no port name), with the health service name; the
     * manifest passes the server-side schema check.
     */
    @Test
    void grpcProbesBecomeNativeGrpcProbesOnThePortNumber() throws Exception {
        Files.writeString(dir.resolve("slipway.yaml"), """
                name: greeter
                service:
                  port: 50051
                  readiness: {type: grpc, service: helloworld.Greeter, timeout: 60s}
                  liveness: {type: grpc}
                deploy:
                  kubernetes:
                    replicas: 2
                """);
        String yaml = Manifests.of(ConfigLoader.loadFromDir(dir), RELEASE).yaml();
        Deployment d = (Deployment) ManifestCheck.parse(yaml).get(1);
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertNull(c.getReadinessProbe().getHttpGet());
        assertNull(c.getReadinessProbe().getTcpSocket());
        assertEquals(50051, c.getReadinessProbe().getGrpc().getPort());
        assertEquals("helloworld.Greeter", c.getReadinessProbe().getGrpc().getService());
        assertEquals(50051, c.getStartupProbe().getGrpc().getPort());
        assertEquals("helloworld.Greeter", c.getStartupProbe().getGrpc().getService());
        assertEquals(60, c.getStartupProbe().getFailureThreshold(), "readiness timeout 60s at 1s");
        assertEquals("", c.getLivenessProbe().getGrpc().getService(), "the whole server");
        assertTrue(yaml.contains("grpc:\n"), yaml);
        io.fabric8.kubernetes.api.model.Service svc = (io.fabric8.kubernetes.api.model.Service) ManifestCheck.parse(yaml).get(0);
        assertEquals("kubernetes.io/h2c", svc.getSpec().getPorts().get(0).getAppProtocol(), "cleartext HTTP/2");
        // Named for its protocol, as meshes that select the protocol by the port name's prefix read it.
        assertEquals("grpc", c.getPorts().get(0).getName());
        assertEquals("grpc", svc.getSpec().getPorts().get(0).getName());
        assertEquals("grpc", svc.getSpec().getPorts().get(0).getTargetPort().getStrVal());
    }

    /** An HTTP service's ports stay {@code http}, and its tcp and http probes name that port. */
    @Test
    void portsAreNamedForTheProtocol() throws Exception {
        Files.writeString(dir.resolve("slipway.yaml"), """
                name: web
                service:
                  port: 8080
                  readiness: {path: /ready}
                  liveness: {type: tcp}
                deploy:
                  kubernetes: {}
                """);
        String yaml = Manifests.of(ConfigLoader.loadFromDir(dir), RELEASE).yaml();
        Deployment d = (Deployment) ManifestCheck.parse(yaml).get(1);
        Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("http", c.getPorts().get(0).getName());
        assertEquals("http", c.getReadinessProbe().getHttpGet().getPort().getStrVal());
        assertEquals("http", c.getLivenessProbe().getTcpSocket().getPort().getStrVal());
        io.fabric8.kubernetes.api.model.Service svc = (io.fabric8.kubernetes.api.model.Service) ManifestCheck.parse(yaml).get(0);
        assertEquals("http", svc.getSpec().getPorts().get(0).getName());
        assertNull(svc.getSpec().getPorts().get(0).getAppProtocol());
    }
}
