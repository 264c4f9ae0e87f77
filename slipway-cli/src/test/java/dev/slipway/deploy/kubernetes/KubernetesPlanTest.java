package dev.slipway.deploy.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.DeployPlan;
import dev.slipway.deploy.Report;
import dev.slipway.deploy.Revision;
import dev.slipway.deploy.Target;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kubernetes target through the {@link Target} interface, against fabric8's mock API server
 * ({@link MockCluster}): a plan reads the cluster and changes nothing, lists the manifests and the
 * rollout steps, and {@code apply} runs it; a rollback plans to a version or a revision and refuses
 * unknown ones (exit 2) with the cluster unchanged.
 */
class KubernetesPlanTest {
    static final String V1 = KubernetesTargetTest.V1;
    static final String V2 = KubernetesTargetTest.V2;

    @TempDir
    Path dir;
    MockCluster cluster;
    SlipwayConfig config;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        Path f = dir.resolve("slipway.yaml");
        Files.writeString(f, KubernetesTargetTest.yaml("    pdb: {maxUnavailable: 1}\n"));
        config = ConfigLoader.load(f);
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
        assertTrue(cluster.errors.isEmpty(), "controller errors: " + cluster.errors);
    }

    Target target() {
        return new KubernetesTarget(config, cluster.server.createClient(), new Console(new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()), false), Duration.ofMillis(100), false);
    }

    /** What 'slipway build' records: the version and commit a deploy of an --image gets. */
    void built(String version, String commit) throws Exception {
        Files.createDirectories(dir.resolve("dist"));
        Files.writeString(dir.resolve("dist/artifacts.json"), """
                {"name": "myapp", "version": "%s", "commit": "%s", "artifacts": []}
                """.formatted(version, commit));
    }

    static Target.DeployRequest request(String image) {
        return new Target.DeployRequest(image, Duration.ZERO, true);
    }

    Deployment live() {
        return cluster.client.apps().deployments().inNamespace(MockCluster.NS).withName("myapp").get();
    }

    static List<DeployPlan.Kind> kinds(DeployPlan p) {
        return p.steps().stream().map(DeployPlan.Step::kind).toList();
    }

    @Test
    void aDeployPlanIsTheManifestsAndTheRolloutStepsAndChangesNothing() throws Exception {
        built("1.0.0", "c1c1c1c1");
        try (Target t = target()) {
            assertEquals("kubernetes", t.name());
            DeployPlan p = t.plan(request(V1));
            assertEquals(DeployPlan.Action.DEPLOY, p.action());
            assertEquals("1.0.0", p.version());
            assertEquals("c1c1c1c1", p.commit());
            assertEquals(List.of(DeployPlan.Kind.APPLY, DeployPlan.Kind.APPLY, DeployPlan.Kind.APPLY, DeployPlan.Kind.ROLLOUT,
                    DeployPlan.Kind.GATE, DeployPlan.Kind.RECORD), kinds(p), p.describe());
            assertEquals(List.of("Service/myapp", "Deployment/myapp", "PodDisruptionBudget/myapp"),
                    p.steps().subList(0, 3).stream().map(DeployPlan.Step::where).toList());
            assertTrue(p.steps().get(1).description().startsWith("create Deployment/myapp in namespace default: image " + V1
                    + ", 3 replicas"), p.describe());
            assertTrue(p.facts().contains("deployment/myapp: not deployed"), p.facts().toString());
            assertTrue(p.steps().get(5).description().startsWith("record revision 1 "), p.describe());
            String text = t.describe(p);
            assertTrue(text.startsWith("deploy myapp 1.0.0 to kubernetes\n"), text);
            assertTrue(text.contains("manifests:\n---") && text.contains("kind: \"Deployment\"") && text.contains(V1), text);
            assertTrue(text.contains("slipway.dev/revision: \"1\""), text);
            assertNull(live(), "a plan changes nothing");
            assertTrue(cluster.client.services().inNamespace(MockCluster.NS).list().getItems().isEmpty(), "no Service either");

            Report r = t.apply(p);
            assertEquals(0, r.exitCode());
            assertEquals("ok", r.outcome());
            assertEquals(1, r.revision());
            assertEquals("1.0.0", r.version());
            assertEquals(6, r.steps().size());
            assertTrue(r.message().contains("myapp 1.0.0 deployed to kubernetes"), r.message());
        }
        built("2.0.0", "c2c2c2c2");
        try (Target t = target()) {
            DeployPlan p = t.plan(request(V2));
            assertTrue(p.steps().get(1).description().startsWith("merge into Deployment/myapp"), p.describe());
            assertTrue(p.facts().stream().anyMatch(f -> f.startsWith("deployment/myapp: revision 1 runs 1.0.0 (" + V1 + ")")),
                    p.facts().toString());
            assertTrue(p.steps().get(4).description().contains("on a missed deadline roll back to revision 1"), p.describe());
            assertEquals("1.0.0", live().getMetadata().getAnnotations().get(Manifests.VERSION), "still nothing changed");
            assertEquals(2, t.apply(p).revision());
        }
    }

    @Test
    void rollbackPlansToAVersionOrARevisionAndRefusesUnknownOnesWithNothingChanged() throws Exception {
        try (Target t = target()) {
            SlipwayException none = assertThrows(SlipwayException.class, () -> t.rollback(new Target.RollbackTo(null, null,
                    Duration.ZERO)));
            assertEquals(2, none.exitCode());
            assertTrue(none.getMessage().startsWith("nothing deployed"), none.getMessage());
            built("1.0.0", "c1");
            t.apply(t.plan(request(V1)));
            built("2.0.0", "c2");
            t.apply(t.plan(request(V2)));

            String before = live().getMetadata().getResourceVersion();
            for (var bad : List.of(new Target.RollbackTo("9.9.9", null, Duration.ZERO),
                    new Target.RollbackTo(null, 7, Duration.ZERO), new Target.RollbackTo("2.0.0", null, Duration.ZERO),
                    new Target.RollbackTo(null, 2, Duration.ZERO))) {
                SlipwayException e = assertThrows(SlipwayException.class, () -> t.rollback(bad), bad.toString());
                assertEquals(2, e.exitCode(), e.getMessage());
                assertTrue(e.getMessage().contains("nothing was changed") || e.getMessage().contains("nothing to roll back"),
                        e.getMessage());
            }
            assertEquals(before, live().getMetadata().getResourceVersion(), "refused rollbacks changed nothing");
            assertTrue(assertThrows(SlipwayException.class, () -> t.rollback(new Target.RollbackTo("9.9.9", null, Duration.ZERO)))
                    .getMessage().contains("release 9.9.9 of myapp is not in the ReplicaSet history (revisions: 1 1.0.0, 2 2.0.0;"));

            DeployPlan back = t.rollback(new Target.RollbackTo("1.0.0", null, Duration.ZERO));
            assertEquals(DeployPlan.Action.ROLLBACK, back.action());
            assertEquals("1.0.0", back.version());
            assertEquals(List.of(DeployPlan.Kind.APPLY, DeployPlan.Kind.ROLLOUT, DeployPlan.Kind.GATE, DeployPlan.Kind.RECORD),
                    kinds(back));
            assertTrue(back.steps().get(0).description().contains("kubectl rollout undo --to-revision=1"), back.describe());
            assertEquals(before, live().getMetadata().getResourceVersion(), "a rollback plan changes nothing");
            Report r = t.apply(back);
            assertEquals(3, r.revision());
            assertEquals("1.0.0", r.version());
            assertEquals(V1, KubernetesTargetTest.image(live()));

            DeployPlan byRevision = t.rollback(new Target.RollbackTo(null, 2, Duration.ZERO));
            assertEquals("2.0.0", byRevision.version());
            assertEquals(4, t.apply(byRevision).revision());

            List<Revision> h = t.history();
            assertEquals(List.of(3, 4), h.stream().map(Revision::revision).toList(), "revisions 1 and 2 were renumbered");
            assertEquals(List.of("deployed", "current"), h.stream().map(Revision::outcome).toList());
            assertEquals("2.0.0", h.get(1).version());
            assertTrue(h.get(1).note().startsWith(V2), h.get(1).note());

            Report s = t.status();
            assertEquals("2.0.0", s.version());
            assertEquals(4, s.revision());
            assertTrue(s.lines().contains("  revision   4"), s.lines().toString());
        }
    }
}
