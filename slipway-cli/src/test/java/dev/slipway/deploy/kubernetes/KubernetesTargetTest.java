package dev.slipway.deploy.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The kubernetes target against fabric8's mock API server in CRUD mode, with {@link MockCluster}'s
 * test-driven controller moving the Deployment status: apply, watch to completion, deadline miss
 * and automatic rollback, --no-rollback, undo to a revision. (The canary: KubernetesCanaryTest.)
 */
class KubernetesTargetTest extends MockClusterTestBase {
    static final String V1 = "registry.test/myapp@sha256:" + "1".repeat(64);
    static final String V2 = "registry.test/myapp@sha256:" + "2".repeat(64);
    static final String BAD = "registry.test/myapp@sha256:" + "b".repeat(64);
    static final String V3 = "registry.test/myapp@sha256:" + "3".repeat(64);


    static String yaml(String extra) {
        return """
                name: myapp
                service:
                  port: 8080
                  drainTimeout: 20s
                deploy:
                  kubernetes:
                    replicas: 3
                    progressDeadline: 4s
                    secretEnv:
                      DB_PASSWORD: {secret: myapp-db, key: password}
                """ + extra;
    }


    KubernetesTarget target(SlipwayConfig c) {
        return new KubernetesTarget(c, cluster.server.createClient(), new Console(new PrintWriter(new StringWriter()),
                new PrintWriter(err, true), false), Duration.ofMillis(100), false);
    }

    Deployment live(String name) {
        return cluster.client.apps().deployments().inNamespace(MockCluster.NS).withName(name).get();
    }

    static String image(Deployment d) {
        return d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    @Test
    void appliesAndWatchesTheRolloutToCompletion() throws Exception {
        SlipwayConfig c = config("    pdb: {maxUnavailable: 1}\n");
        try (KubernetesTarget t = target(c)) {
            KubernetesTarget.Outcome o = t.deploy(new KubeRelease(V1, "1.0.0", "c1"), true);
            assertEquals(1, o.revision());
            assertEquals("1.0.0", o.version());
            assertEquals(V1, o.image());
        }
        // the watch saw the controller's intermediate states, not only the end
        assertTrue(err.toString().contains("new replicas have been updated"), err.toString());
        assertTrue(err.toString().contains("successfully rolled out"), err.toString());
        Deployment d = live("myapp");
        assertEquals(3, d.getStatus().getAvailableReplicas());
        assertEquals("1.0.0", d.getMetadata().getAnnotations().get(Manifests.VERSION));
        assertEquals("1", d.getMetadata().getAnnotations().get(Manifests.REVISION));
        assertNotNull(cluster.client.services().inNamespace("default").withName("myapp").get());
        assertNotNull(cluster.client.policy().v1().podDisruptionBudget().inNamespace("default").withName("myapp").get());

        // a second release, now with an HPA: merge-patched, revision 2; the deploy leaves the replica count alone
        cluster.client.apps().deployments().inNamespace("default").withName("myapp").scale(5);
        c = config("    hpa: {maxReplicas: 6, cpu: 70}\n    resources: {requests: {cpu: 100m}}\n");
        try (KubernetesTarget t = target(c)) {
            assertEquals(2, t.deploy(new KubeRelease(V2, "2.0.0", "c2"), true).revision());
            List<KubernetesTarget.Revision> h = t.replicaSetHistory();
            assertEquals(List.of(1L, 2L), h.stream().map(KubernetesTarget.Revision::revision).toList());
            assertEquals("1.0.0", h.get(0).version());
            assertTrue(h.get(1).current());
            assertEquals(V2, h.get(1).image());
            KubernetesTarget.Status s = t.liveStatus();
            assertEquals(2, s.revision());
            assertEquals("2.0.0", s.version());
            assertNull(s.canary());
        }
        assertNotNull(cluster.client.autoscaling().v2().horizontalPodAutoscalers().inNamespace("default")
                .withName("myapp").get());
        assertEquals(5, live("myapp").getSpec().getReplicas(), "the HPA's scaling survives a deploy");
    }

    @Test
    void statusShowsAPausedCanaryThatWasDrainedToNoPodsUntilItIsResolved() throws Exception {
        try (KubernetesTarget t = target(config(""))) {
            t.deploy(new KubeRelease(V1, "1.0.0", "c1"), true);
            Deployment canary = new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder().withNewMetadata()
                    .withName("myapp-canary").addToAnnotations(Manifests.VERSION, "2.0.0")
                    .addToAnnotations(Manifests.CANARY_WEIGHT, "0")
                    .addToAnnotations(KubernetesTarget.CANARY_STATE, "{\"phase\":\"PAUSED\",\"message\":\"step 2 inconclusive:"
                            + " too few requests\"}").endMetadata()
                    .withSpec(new io.fabric8.kubernetes.api.model.apps.DeploymentSpecBuilder(live("myapp").getSpec())
                            .withReplicas(0).build()).build();
            cluster.client.apps().deployments().inNamespace(MockCluster.NS).resource(canary).create();
            dev.slipway.deploy.Report r = t.status();
            String text = String.join("\n", r.lines());
            assertTrue(text.contains("  canary     2.0.0 (" + V1 + "), 0 ready; 0 canary pods beside 3 stable"), text);
            assertTrue(text.contains("; paused: step 2 inconclusive: too few requests; 'slipway promote --to kubernetes' or"
                    + " 'slipway abort --to kubernetes'"), text);
            assertEquals("paused", t.liveStatus().canary().phase());
            // Aborted (and still there with no pods): nothing to show.
            cluster.client.apps().deployments().inNamespace(MockCluster.NS).withName("myapp-canary").edit(d -> {
                d.getMetadata().getAnnotations().put(KubernetesTarget.CANARY_STATE, "{\"phase\":\"ABORTED\"}");
                return d;
            });
            assertNull(t.liveStatus().canary());
            assertFalse(String.join("\n", t.status().lines()).contains("  canary "), t.status().lines().toString());
        }
    }

    @Test
    void secretValuesNeverReachTheCluster() throws Exception {
        cluster.client.secrets().inNamespace("default").resource(new SecretBuilder().withNewMetadata()
                .withName("myapp-db").endMetadata().addToStringData("password", "s3cr3t-value").build()).create();
        try (KubernetesTarget t = target(config(""))) {
            t.deploy(new KubeRelease(V1, "1.0.0", "c1"), true);
        }
        Deployment d = live("myapp");
        EnvVar pw = d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getName().equals("DB_PASSWORD")).findFirst().orElseThrow();
        assertNull(pw.getValue());
        assertEquals("myapp-db", pw.getValueFrom().getSecretKeyRef().getName());
        assertEquals("password", pw.getValueFrom().getSecretKeyRef().getKey());
        String all = new io.fabric8.kubernetes.client.utils.KubernetesSerialization().asYaml(d);
        assertFalse(all.contains("s3cr3t-value"));
    }

    @Test
    void aMissedDeadlineReportsPodProblemsAndRollsBack() throws Exception {
        SlipwayConfig c = config("");
        try (KubernetesTarget t = target(c)) {
            t.deploy(new KubeRelease(V1, "1.0.0", "c1"), true);
            cluster.crashing.add(BAD);
            long t0 = System.nanoTime();
            SlipwayException e = assertThrows(SlipwayException.class,
                    () -> t.deploy(new KubeRelease(BAD, "2.0.0-bad", "c2"), true));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(1, e.exitCode());
            assertTrue(ms >= 4000 && ms < 20_000, "waited " + ms + " ms for a 4s progress deadline");
            assertTrue(e.getMessage().contains("made no progress for 4"), e.getMessage());
            assertTrue(e.getMessage().contains("CrashLoopBackOff"), e.getMessage());
            assertTrue(e.getMessage().contains("last exit code 1"), e.getMessage());
            assertTrue(e.getMessage().contains("Unhealthy: Readiness probe failed"), e.getMessage());
            assertTrue(e.getMessage().contains("rolled back: revision 3 runs 1.0.0 again (the pod template of revision 1)"), e.getMessage());
        }
        Deployment d = live("myapp");
        assertEquals(V1, image(d));
        assertEquals("3", d.getMetadata().getAnnotations().get(Manifests.K8S_REVISION));
        assertEquals("1.0.0", d.getMetadata().getAnnotations().get(Manifests.VERSION));
        assertEquals(3, d.getStatus().getAvailableReplicas());
    }

    @Test
    void noRollbackLeavesTheFailedRolloutAndReportsImagePullBackOff() throws Exception {
        SlipwayConfig c = config("");
        try (KubernetesTarget t = target(c)) {
            t.deploy(new KubeRelease(V1, "1.0.0", "c1"), true);
            cluster.unpullable.add(BAD);
            SlipwayException e = assertThrows(SlipwayException.class,
                    () -> t.deploy(new KubeRelease(BAD, "2.0.0", "c2"), false));
            assertTrue(e.getMessage().contains("ImagePullBackOff"), e.getMessage());
            assertTrue(e.getMessage().contains("not rolled back (--no-rollback)"), e.getMessage());
        }
        assertEquals(BAD, image(live("myapp")));
    }

    @Test
    void rollbackToARevisionLikeKubectlRolloutUndo() throws Exception {
        SlipwayConfig c = config("");
        try (KubernetesTarget t = target(c)) {
            t.deploy(new KubeRelease(V1, "1.0.0", "c1"), true);
            t.deploy(new KubeRelease(V2, "2.0.0", "c2"), true);
            t.deploy(new KubeRelease(V3, "3.0.0", "c3"), true);
            assertEquals(3, t.liveStatus().revision());

            KubernetesTarget.Outcome o = t.rollbackTo(1L);
            assertEquals(4, o.revision(), "undo to revision 1 makes it revision 4");
            assertEquals(V1, o.image());
            assertEquals("1.0.0", o.version());
            assertEquals(List.of(2L, 3L, 4L), t.replicaSetHistory().stream().map(KubernetesTarget.Revision::revision).toList());

            KubernetesTarget.Outcome previous = t.rollbackTo(null);
            assertEquals(V3, previous.image(), "without --to: the revision before the current (3)");
            assertEquals(5, previous.revision());

            SlipwayException none = assertThrows(SlipwayException.class, () -> t.rollbackTo(9L));
            assertEquals(2, none.exitCode());
            assertTrue(none.getMessage().contains("no revision 9"), none.getMessage());
        }
        Deployment d = live("myapp");
        assertFalse(d.getSpec().getTemplate().getMetadata().getLabels().containsKey("pod-template-hash"));
        assertEquals("3.0.0", d.getMetadata().getAnnotations().get(Manifests.VERSION));
    }
}
