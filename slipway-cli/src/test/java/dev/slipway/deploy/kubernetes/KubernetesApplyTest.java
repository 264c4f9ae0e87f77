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
import dev.slipway.deploy.DeployPlan;
import dev.slipway.deploy.Target;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 22, items 2 and 3 against fabric8's mock API server (CRUD mode) and {@link MockCluster}'s
 * stand-in controller: a rollout whose pods are refused fails in seconds, quoting the event, and
 * is rolled back; objects another tool manages are refused unless adopted; what other clients
 * add survives a deploy; dropping {@code hpa:} deletes the HPA; the API server's warnings are shown.
 */
class KubernetesApplyTest extends MockClusterTestBase {


    KubernetesTarget target(SlipwayConfig c) {
        Console console = new Console(new PrintWriter(new StringWriter()), new PrintWriter(err, true), false);
        var client = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                .withConfig(cluster.server.createClient().getConfiguration())
                .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("slipway-warnings", KubernetesTarget.warnings(console)))
                .build();
        return new KubernetesTarget(c, client, console, Duration.ofMillis(100), false);
    }

    Deployment live() {
        return cluster.client.apps().deployments().inNamespace(MockCluster.NS).withName("myapp").get();
    }

    @Test
    void podsRefusedAtCreationFailTheRolloutInSecondsQuotingTheEventThenRollBack() throws Exception {
        // a 10-minute progress deadline: only the failure itself can end the wait in seconds
        SlipwayConfig c = ConfigLoader.load(write(KubernetesTargetTest.yaml("").replace("progressDeadline: 4s", "progressDeadline: 10m")));
        try (KubernetesTarget t = target(c)) {
            t.deploy(new KubeRelease(KubernetesTargetTest.V1, "1.0.0", "c1"), true);
            cluster.forbidden.add(KubernetesTargetTest.BAD);
            long t0 = System.nanoTime();
            SlipwayException e = assertThrows(SlipwayException.class,
                    () -> t.deploy(new KubeRelease(KubernetesTargetTest.BAD, "2.0.0", "c2"), true));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(1, e.exitCode());
            assertTrue(ms < 60_000, "failed after " + ms + " ms, not after the 10 min deadline");
            assertTrue(e.getMessage().contains("cannot create pods (ReplicaFailure: FailedCreate)"), e.getMessage());
            assertTrue(e.getMessage().contains("violates PodSecurity \"restricted:latest\""), e.getMessage());
            assertTrue(e.getMessage().matches("(?s).*event ReplicaSet/myapp-\\w+: FailedCreate: Error creating: pods .* is"
                    + " forbidden: violates PodSecurity.*\\(x4\\).*"), e.getMessage());
            assertTrue(e.getMessage().contains("rolled back: revision 3 runs 1.0.0 again"), e.getMessage());
        }
        Deployment d = live();
        assertEquals(KubernetesTargetTest.V1, KubernetesTargetTest.image(d));
        assertEquals(3, d.getStatus().getAvailableReplicas());
        assertTrue(cluster.dispatcher.eventSelectors.contains("involvedObject.kind=ReplicaSet,involvedObject.name="
                + cluster.replicaSets("myapp").stream().filter(rs -> KubernetesTarget.revision(rs) == 2).findFirst()
                .orElseThrow().getMetadata().getName() + ",type=Warning"), "events asked per object: "
                + cluster.dispatcher.eventSelectors);
    }

    Path write(String yaml) throws Exception {
        Path f = dir.resolve("slipway.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void anImagePullFailingBeyondItsGraceFailsBeforeTheDeadline() throws Exception {
        SlipwayConfig c = ConfigLoader.load(write(KubernetesTargetTest.yaml("").replace("progressDeadline: 4s", "progressDeadline: 10m")));
        try (KubernetesTarget t = target(c)) {
            t.deploy(new KubeRelease(KubernetesTargetTest.V1, "1.0.0", "c1"), true);
            t.pullGrace(Duration.ofSeconds(2));
            cluster.unpullable.add(KubernetesTargetTest.BAD);
            long t0 = System.nanoTime();
            SlipwayException e = assertThrows(SlipwayException.class,
                    () -> t.deploy(new KubeRelease(KubernetesTargetTest.BAD, "2.0.0", "c2"), false));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 2000 && ms < 60_000, "after the 2 s grace, long before the deadline: " + ms + " ms");
            assertTrue(e.getMessage().contains("ImagePullBackOff: Back-off pulling image for 2.0 s (the image cannot be pulled)"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("event myapp-"), e.getMessage());
            assertTrue(e.getMessage().contains("Failed: Failed to pull image: not found"), e.getMessage());
        }
    }

    @Test
    void anObjectAnotherToolManagesIsRefusedUnlessAdopted() throws Exception {
        Deployment helm = new DeploymentBuilder().withNewMetadata().withName("myapp").withNamespace(MockCluster.NS)
                .withLabels(Map.of("app.kubernetes.io/managed-by", "Helm", "helm.sh/chart", "myapp-0.1.0"))
                .withAnnotations(Map.of("meta.helm.sh/release-name", "myapp")).endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().withMatchLabels(Map.of("app", "myapp", "track", "stable"))
                .endSelector().withNewTemplate().withNewMetadata().withLabels(Map.of("app", "myapp", "track", "stable"))
                .endMetadata().withNewSpec().addNewContainer().withName("myapp").withImage(KubernetesTargetTest.V1)
                .endContainer().endSpec().endTemplate().endSpec().build();
        cluster.client.resource(helm).create();
        // the stand-in controller writes status and the revision annotation; Slipway's writes would change these
        Deployment before = live();
        SlipwayConfig c = config("");
        try (KubernetesTarget t = target(c)) {
            for (var attempt : new org.junit.jupiter.api.function.Executable[] {
                    () -> t.deploy(new KubeRelease(KubernetesTargetTest.V2, "2.0.0", "c2"), true),
                    () -> t.plan(new Target.DeployRequest(KubernetesTargetTest.V2, Duration.ZERO, true))}) {
                SlipwayException e = assertThrows(SlipwayException.class, attempt);
                assertEquals(2, e.exitCode());
                assertTrue(e.getMessage().contains("Deployment/myapp (app.kubernetes.io/managed-by: Helm)"), e.getMessage());
                assertTrue(e.getMessage().contains("nothing was changed"), e.getMessage());
                assertTrue(e.getMessage().contains("--adopt"), e.getMessage());
            }
            Deployment d = live();
            assertEquals(before.getSpec(), d.getSpec(), "unchanged");
            assertEquals(before.getMetadata().getLabels(), d.getMetadata().getLabels());
            assertNull(d.getMetadata().getAnnotations().get(KubernetesTarget.LAST_APPLIED));
            assertEquals("Helm", d.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
            assertNull(cluster.client.services().inNamespace(MockCluster.NS).withName("myapp").get(), "no Service either");

            DeployPlan plan = t.plan(new Target.DeployRequest(KubernetesTargetTest.V2, Duration.ZERO, true, true));
            t.apply(plan);
        }
        Deployment d = live();
        assertEquals("slipway", d.getMetadata().getLabels().get("app.kubernetes.io/managed-by"));
        assertEquals("myapp-0.1.0", d.getMetadata().getLabels().get("helm.sh/chart"), "adopted: what Slipway does not render stays");
        assertEquals(KubernetesTargetTest.V2, KubernetesTargetTest.image(d));
        assertTrue(err.toString().contains("adopting Deployment/myapp (app.kubernetes.io/managed-by: Helm)"), err.toString());
    }

    @Test
    void whatOtherClientsAddSurvivesARedeployAndDroppingTheHpaDeletesIt() throws Exception {
        SlipwayConfig withHpa = config("    hpa: {maxReplicas: 6, cpu: 70}\n    resources: {requests: {cpu: 100m}}\n"
                + "    pdb: {maxUnavailable: 1}\n");
        try (KubernetesTarget t = target(withHpa)) {
            t.deploy(new KubeRelease(KubernetesTargetTest.V1, "1.0.0", "c1"), true);
        }
        var hpas = cluster.client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(MockCluster.NS);
        assertNotNull(hpas.withName("myapp").get());
        // another client: an annotation and a label on the Service and the Deployment, and the HPA scales up
        cluster.client.services().inNamespace(MockCluster.NS).withName("myapp").edit(s -> {
            s.getMetadata().getAnnotations().put("service.beta.kubernetes.io/aws-load-balancer-internal", "true");
            return s;
        });
        cluster.client.apps().deployments().inNamespace(MockCluster.NS).withName("myapp").edit(x -> {
            x.getMetadata().getAnnotations().put("argocd.argoproj.io/sync-wave", "2");
            x.getMetadata().getLabels().put("team", "payments");
            x.getSpec().setReplicas(5);
            return x;
        });
        try (KubernetesTarget t = target(withHpa)) {
            t.deploy(new KubeRelease(KubernetesTargetTest.V2, "2.0.0", "c2"), true);
        }
        Deployment d = live();
        assertEquals(KubernetesTargetTest.V2, KubernetesTargetTest.image(d));
        assertEquals("2", d.getMetadata().getAnnotations().get("argocd.argoproj.io/sync-wave"));
        assertEquals("payments", d.getMetadata().getLabels().get("team"));
        assertEquals(5, d.getSpec().getReplicas(), "the HPA's count stays");
        assertEquals("true", cluster.client.services().inNamespace(MockCluster.NS).withName("myapp").get().getMetadata()
                .getAnnotations().get("service.beta.kubernetes.io/aws-load-balancer-internal"));

        // hpa: and pdb: dropped: both deleted, and the Deployment's count is slipway.yaml's again
        SlipwayConfig plain = config("");
        try (KubernetesTarget t = target(plain)) {
            DeployPlan p = t.plan(new Target.DeployRequest(KubernetesTargetTest.V2, Duration.ZERO, true));
            assertTrue(p.steps().stream().anyMatch(s -> s.kind() == DeployPlan.Kind.PRUNE
                    && s.description().startsWith("delete HorizontalPodAutoscaler/myapp: Slipway created it")), p.describe());
            assertNotNull(hpas.withName("myapp").get(), "a plan changes nothing");
            t.apply(p);
        }
        assertNull(hpas.withName("myapp").get());
        assertNull(cluster.client.policy().v1().podDisruptionBudget().inNamespace(MockCluster.NS).withName("myapp").get());
        assertEquals(3, live().getSpec().getReplicas(), "replicas: 3 from slipway.yaml once no HPA owns the count");
        assertEquals("payments", live().getMetadata().getLabels().get("team"));
        assertTrue(err.toString().contains("deleted HorizontalPodAutoscaler/myapp (Slipway created it; slipway.yaml no longer has it)"),
                err.toString());
    }

    @Test
    void removedLabelsGoButOnlyThoseSlipwayApplied() throws Exception {
        try (KubernetesTarget t = target(config("    env: {A: \"1\"}\n"))) {
            t.deploy(new KubeRelease(KubernetesTargetTest.V1, "1.0.0", "c1"), true);
        }
        cluster.client.apps().deployments().inNamespace(MockCluster.NS).withName("myapp").edit(x -> {
            x.getMetadata().getLabels().put("team", "payments");
            return x;
        });
        try (KubernetesTarget t = target(config(""))) {
            t.deploy(new KubeRelease(KubernetesTargetTest.V1, "1.0.0", "c1"), true);
        }
        var env = live().getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
        assertFalse(env.stream().anyMatch(e -> e.getName().equals("A")), "Slipway's own env A left slipway.yaml: gone");
        assertEquals("payments", live().getMetadata().getLabels().get("team"));
    }

    @Test
    void theApiServersWarningsAreShown() throws Exception {
        cluster.dispatcher.warnings.add("spec.template.spec.containers[0].resources: deprecated field");
        try (KubernetesTarget t = target(config(""))) {
            t.deploy(new KubeRelease(KubernetesTargetTest.V1, "1.0.0", "c1"), true);
        }
        assertTrue(err.toString().contains("warning from the API server: spec.template.spec.containers[0].resources:"
                + " deprecated field\n"), err.toString());
        assertEquals(1, err.toString().split("deprecated field", -1).length - 1, "each text once");
    }
}
