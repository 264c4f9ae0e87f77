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
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22, item 1: the pod spec passes Pod Security "restricted" (checked by
 * {@link ManifestCheck#restricted}, which also refuses the manifests rendered before), the JVM is
 * sized from the resources (proved by a real java printing its heap), and the scheduling keys,
 * probe timeout, preStop and pod-template patch render as documented.
 */
class PodSpecTest {
    static final Path RESOURCES = ManifestsTest.REPO.resolve("slipway-cli/src/test/resources/dev/slipway/deploy/kubernetes");

    @TempDir
    Path dir;

    SlipwayConfig config(String kubernetes) throws Exception {
        Files.writeString(dir.resolve("slipway.yaml"), """
                name: svc
                service: {port: 8080}
                deploy:
                  kubernetes:
                """ + kubernetes);
        return ConfigLoader.loadFromDir(dir);
    }

    static PodSpec pod(String yaml) {
        return ManifestCheck.parse(yaml).stream().filter(o -> o instanceof Deployment).map(o -> (Deployment) o)
                .findFirst().orElseThrow().getSpec().getTemplate().getSpec();
    }

    @Test
    void theGoldenManifestsPassRestrictedAndTheOnesBeforeDoNot() throws Exception {
        for (String golden : List.of("myapp.golden.yaml", "framework-tcp.golden.yaml")) {
            PodSpec p = pod(Files.readString(RESOURCES.resolve(golden)));
            assertEquals(List.of(), ManifestCheck.restricted(p), golden);
            assertEquals(Boolean.FALSE, p.getAutomountServiceAccountToken());
            Container c = p.getContainers().get(0);
            assertEquals(Boolean.TRUE, c.getSecurityContext().getReadOnlyRootFilesystem());
            assertEquals(List.of("/tmp", "/data"), c.getVolumeMounts().stream().map(m -> m.getMountPath()).toList(),
                    "emptyDirs where the JVM (/tmp: hsperfdata, temp files) and the app (DATA_DIR) write");
            assertTrue(p.getVolumes().stream().allMatch(v -> v.getEmptyDir() != null));
            assertEquals(65534L, p.getSecurityContext().getRunAsUser(), "image.user's default uid");
        }
        List<String> before = ManifestCheck.restricted(pod(Files.readString(RESOURCES.resolve("myapp.before-restricted.yaml"))));
        assertTrue(before.contains("container myapp: securityContext.allowPrivilegeEscalation must be false"), before.toString());
        assertTrue(before.contains("container myapp: securityContext.runAsNonRoot must be true (on the container or the pod)"));
        assertTrue(before.contains("container myapp: securityContext.capabilities.drop must contain ALL"));
        assertTrue(before.stream().anyMatch(v -> v.contains("seccompProfile")), before.toString());

        // each rule on its own: one change to the good pod, one violation
        String good = Files.readString(RESOURCES.resolve("myapp.golden.yaml"));
        assertEquals(List.of("hostNetwork, hostPID and hostIPC must be unset or false"),
                ManifestCheck.restricted(pod(good.replace("      automountServiceAccountToken: false\n",
                        "      automountServiceAccountToken: false\n      hostNetwork: true\n"))));
        assertEquals(List.of("container myapp: securityContext.capabilities.add may hold NET_BIND_SERVICE only, not NET_ADMIN"),
                ManifestCheck.restricted(pod(good.replace("          capabilities:\n",
                        "          capabilities:\n            add: [NET_BIND_SERVICE, NET_ADMIN]\n"))));
        assertEquals(List.of("volume data: type hostPath is not allowed (configMap, csi, downwardAPI, emptyDir, ephemeral,"
                        + " persistentVolumeClaim, projected, secret)"),
                ManifestCheck.restricted(pod(good.replace("      - emptyDir: {}\n        name: \"data\"",
                        "      - hostPath: {path: /var/data}\n        name: \"data\""))));
        assertEquals(List.of("securityContext.runAsUser must not be 0"),
                ManifestCheck.restricted(pod(good.replace("runAsUser: 65534", "runAsUser: 0"))));
    }

    /**
     * The rendered JVM options, given to a real java with {@code -XX:MaxRAM=<limit>} standing in
     * for the container's cgroup limit: the heap is 75 % of 384 MiB, not the default 25 %.
     */
    @Test
    void theRenderedJvmOptionsSizeARealJavasHeapFromTheLimit() throws Exception {
        SlipwayConfig myapp = ManifestsTest.myapp();
        Container c = ((Deployment) Manifests.of(myapp, ManifestsTest.RELEASE).all().get(1)).getSpec().getTemplate()
                .getSpec().getContainers().get(0);
        String options = c.getEnv().stream().filter(e -> e.getName().equals("JDK_JAVA_OPTIONS")).findFirst().orElseThrow()
                .getValue();
        assertEquals("-XX:MaxRAMPercentage=75.0 -XX:MinRAMPercentage=75.0 -XX:ActiveProcessorCount=1", options, "limits: cpu 1, memory 384Mi");
        long limit = 384L * 1024 * 1024;
        long heap = maxHeap(options, limit);
        long expected = limit * 3 / 4;
        assertTrue(heap <= expected && heap > expected - 4L * 1024 * 1024, "MaxHeapSize " + heap + " is 75 % of "
                + limit + " (" + expected + "), rounded down to the heap alignment");
        long defaults = maxHeap("", limit);
        assertTrue(defaults < heap / 2, "without the options the JVM leaves most of the limit unused: " + defaults);

        // a small limit keeps 96 MiB for what is not heap; a request without a limit sizes from the request
        SlipwayConfig small = config("    resources: {requests: {cpu: 1500m, memory: 128Mi}}\n");
        String smallOptions = Manifests.jvmOptions(small);
        assertEquals("-XX:MaxRAM=134217728 -XX:MaxRAMPercentage=25.0 -XX:MinRAMPercentage=25.0 -XX:ActiveProcessorCount=2", smallOptions);
        long smallHeap = maxHeap(smallOptions, 8L * 1024 * 1024 * 1024);
        assertTrue(smallHeap <= 32L * 1024 * 1024 && smallHeap > 28L * 1024 * 1024, "25 % of the 128 MiB request, not"
                + " of the 8 GiB a node has: " + smallHeap);
    }

    @Test
    void theUsersOwnJvmOptionsWin() throws Exception {
        SlipwayConfig env = config("    resources: {limits: {cpu: \"2\", memory: 1Gi}}\n    env: {JDK_JAVA_OPTIONS: \"-Xmx300m\"}\n");
        assertEquals("", Manifests.jvmOptions(env));
        Files.writeString(dir.resolve("slipway.yaml"), """
                name: svc
                build: {jvmOptions: ["-Xmx300m"]}
                deploy:
                  kubernetes:
                    resources: {limits: {cpu: "2", memory: 1Gi}}
                """);
        assertEquals("-XX:ActiveProcessorCount=2", Manifests.jvmOptions(ConfigLoader.loadFromDir(dir)));
        assertEquals("", Manifests.jvmOptions(config("    replicas: 1\n")), "no resources, nothing to size from");
    }

    /** {@code MaxHeapSize} as a real java prints it with {@code -XX:+PrintFlagsFinal}. */
    static long maxHeap(String options, long maxRam) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:MaxRAM=" + maxRam);
        if (!options.isEmpty()) {
            cmd.addAll(List.of(options.split(" ")));
        }
        cmd.addAll(List.of("-XX:+PrintFlagsFinal", "-version"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out.lines().filter(l -> l.matches("\\s*size_t MaxHeapSize\\s+=.*")).map(l -> l.replaceAll(".*=\\s*(\\d+).*", "$1"))
                .mapToLong(Long::parseLong).findFirst().orElseThrow(() -> new AssertionError(out));
    }

    @Test
    void schedulingKeysProbeTimeoutAndNoPreStopSleep() throws Exception {
        SlipwayConfig c = config("""
                    preStopDelay: 0s
                    probeTimeout: 5s
                    serviceAccountName: svc-reader
                    priorityClassName: high
                    imagePullSecrets: [regcred]
                    nodeSelector: {kubernetes.io/arch: amd64}
                    tolerations:
                      - {key: dedicated, value: java, effect: NoSchedule}
                      - {operator: Exists, effect: NoExecute, tolerationSeconds: 30}
                    spread: DoNotSchedule
                """);
        String yaml = Manifests.of(c, ManifestsTest.RELEASE).yaml();
        PodSpec p = pod(yaml);
        Container ct = p.getContainers().get(0);
        assertNull(ct.getLifecycle(), "preStopDelay 0s: no preStop hook at all (not sleep 0)");
        assertEquals(30, p.getTerminationGracePeriodSeconds(), "drainTimeout default 30s + no preStop");
        assertEquals(5, ct.getReadinessProbe().getTimeoutSeconds());
        assertEquals(5, ct.getLivenessProbe().getTimeoutSeconds());
        assertEquals(5, ct.getStartupProbe().getTimeoutSeconds());
        assertEquals("svc-reader", p.getServiceAccountName());
        assertEquals(Boolean.FALSE, p.getAutomountServiceAccountToken(), "a named service account's token is not mounted either");
        assertEquals("high", p.getPriorityClassName());
        assertEquals("regcred", p.getImagePullSecrets().get(0).getName());
        assertEquals("amd64", p.getNodeSelector().get("kubernetes.io/arch"));
        assertEquals("Equal", p.getTolerations().get(0).getOperator());
        assertEquals(30L, p.getTolerations().get(1).getTolerationSeconds());
        assertEquals(List.of("kubernetes.io/hostname", "topology.kubernetes.io/zone"),
                p.getTopologySpreadConstraints().stream().map(t -> t.getTopologyKey()).toList());
        assertTrue(p.getTopologySpreadConstraints().stream().allMatch(t -> t.getWhenUnsatisfiable().equals("DoNotSchedule")));
        assertEquals(List.of(), ManifestCheck.restricted(p));
        assertEquals(List.of(), pod(Manifests.of(config("    spread: none\n"), ManifestsTest.RELEASE).yaml()).getTopologySpreadConstraints());
    }

    @Test
    void aPodTemplatePatchIsMergedAndCheckedLikeTheRest() throws Exception {
        SlipwayConfig c = config("""
                    podPatch:
                      metadata:
                        annotations: {prometheus.io/scrape: "true"}
                      spec:
                        dnsPolicy: ClusterFirst
                        hostAliases: [{ip: 10.0.0.5, hostnames: [db.internal]}]
                        securityContext: {fsGroup: 2000}
                """);
        Deployment d = (Deployment) ManifestCheck.parse(Manifests.of(c, ManifestsTest.RELEASE).yaml()).get(1);
        var t = d.getSpec().getTemplate();
        assertEquals("true", t.getMetadata().getAnnotations().get("prometheus.io/scrape"));
        assertEquals("1.2.3", t.getMetadata().getAnnotations().get(Manifests.VERSION), "Slipway's annotations stay");
        assertEquals("db.internal", t.getSpec().getHostAliases().get(0).getHostnames().get(0));
        assertEquals(2000L, t.getSpec().getSecurityContext().getFsGroup());
        assertEquals(Boolean.TRUE, t.getSpec().getSecurityContext().getRunAsNonRoot(), "merged, not replaced");
        assertEquals(List.of(), ManifestCheck.restricted(t.getSpec()));

        record Bad(String patch, String message, String at) {}
        for (Bad b : List.of(
                new Bad("      spec:\n        hostNetwrk: true\n", "'hostNetwrk' is not a field of spec", "slipway.yaml:7:9"),
                new Bad("      spec:\n        containers: []\n", "spec.containers is Slipway's", "slipway.yaml:7:9"),
                new Bad("      metadata:\n        labels: {track: x}\n", "the label 'track' selects the pods", "slipway.yaml:7:18"),
                new Bad("      status: {}\n", "'metadata' and 'spec' only", "slipway.yaml:6:7"),
                new Bad("      spec:\n        nodeSelector: 5\n", "does not read as a pod template", "slipway.yaml:6:"))) {
            ConfigException e = assertThrows(ConfigException.class, () -> config("    podPatch:\n" + b.patch()), b.patch());
            assertTrue(e.getMessage().contains(b.message()), e.getMessage());
            assertTrue(e.getMessage().contains(b.at()), b.at() + ": " + e.getMessage());
        }
        // a patch that weakens the pod is refused when rendered (exit 2), naming the rule
        SlipwayConfig weak = config("    podPatch:\n      spec:\n        securityContext: {runAsNonRoot: null}\n        hostPID: true\n");
        SlipwayException e = assertThrows(SlipwayException.class, () -> Manifests.of(weak, ManifestsTest.RELEASE));
        assertEquals(2, e.exitCode());
        assertTrue(e.getMessage().contains("hostNetwork, hostPID and hostIPC must be unset or false"), e.getMessage());
        assertTrue(e.getMessage().contains("runAsNonRoot must be true"), e.getMessage());
        assertFalse(e.getMessage().contains("Exception"), e.getMessage());
    }
}
