package dev.slipway.deploy.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.cli.SlipwayCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI end to end on the kubernetes target, against the CRUD mock server through a kubeconfig
 * (system property {@code kubeconfig}, as {@code $KUBECONFIG}) whose current context points
 * nowhere: every command works only if {@code deploy.kubernetes.context} selects the mock.
 * This path watches the rollout (fabric8 watch) rather than polling.
 */
class KubernetesCliTest {
    static final String V1 = KubernetesTargetTest.V1;
    static final String V2 = KubernetesTargetTest.V2;

    @TempDir
    Path dir;
    MockCluster cluster;

    record Run(int code, String out, String err) {}

    static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SlipwayCli.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: nowhere
                  cluster: {server: "http://127.0.0.1:9"}
                - name: mock
                  cluster: {server: "%s"}
                users:
                - name: tester
                  user: {token: not-a-secret}
                contexts:
                - name: elsewhere
                  context: {cluster: nowhere, user: tester}
                - name: mock
                  context: {cluster: mock, user: tester}
                current-context: elsewhere
                """.formatted(cluster.url()));
        System.setProperty("kubeconfig", kubeconfig.toString());
        Path svc = Files.createDirectories(dir.resolve("svc"));
        Files.writeString(svc.resolve("slipway.yaml"), """
                name: myapp
                deploy:
                  kubernetes:
                    context: mock
                    replicas: 2
                    progressDeadline: 20s
                canary:
                  scrapeInterval: 1s
                  steps: [{weight: 50, pause: 1s}]
                """);
        // what 'slipway image' records: the reference and its digest
        Files.createDirectories(svc.resolve("dist"));
        Files.writeString(svc.resolve("dist/artifacts.json"), """
                {"name": "myapp", "version": "1.0.0", "commit": "1111111aaaa",
                 "artifacts": [{"kind": "image", "reference": "registry.test/myapp:1.0.0",
                                "digest": "sha256:%s"}]}
                """.formatted("1".repeat(64)));
    }

    @AfterEach
    void stop() throws Exception {
        System.clearProperty("kubeconfig");
        cluster.close();
    }

    @Test
    void deployStatusHistoryRollbackAndRender() throws Exception {
        String svc = dir.resolve("svc").toString();
        Run deploy = cli("deploy", svc, "--to", "kubernetes");
        assertEquals(0, deploy.code(), deploy.toString());
        assertTrue(deploy.out().contains("myapp 1.0.0 deployed to kubernetes: deployment/myapp in namespace default"
                + " is available (revision 1, image " + V1 + ")"), deploy.out());
        assertTrue(deploy.err().contains("successfully rolled out"), deploy.err());

        Run second = cli("deploy", svc, "--to", "kubernetes", "--image", V2);
        assertEquals(0, second.code(), second.toString());
        assertTrue(second.out().contains("(revision 2, image " + V2 + ")"), second.out());

        Run history = cli("history", svc, "--to", "kubernetes");
        assertEquals(0, history.code(), history.toString());
        List<String> lines = history.out().lines().toList();
        assertEquals(3, lines.size(), history.out());
        assertTrue(lines.get(1).startsWith("1 ") && lines.get(1).contains("1111111") && lines.get(1).contains(V1),
                history.out());
        assertTrue(lines.get(2).startsWith("2 ") && lines.get(2).contains(" current ") && lines.get(2).contains(V2),
                history.out());
        assertTrue(lines.get(1).contains(" deployed "), history.out());

        Run back = cli("rollback", svc, "--target", "kubernetes", "--to", "1");
        assertEquals(0, back.code(), back.toString());
        assertTrue(back.out().contains("rolled back to kubernetes") && back.out().contains("(revision 3, image " + V1),
                back.out());

        Run status = cli("status", svc, "--to", "kubernetes");
        assertEquals(0, status.code(), status.toString());
        assertTrue(status.out().contains("revision   3"), status.out());
        assertTrue(status.out().contains("version    1.0.0"), status.out());
        assertTrue(status.out().contains("2 desired, 2 updated, 2 ready, 2 available"), status.out());
        // --json: the same report shape as every target's (cli17)
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        Run statusJson = cli("status", svc, "--to", "kubernetes", "--json");
        assertEquals(0, statusJson.code(), statusJson.toString());
        var s = json.readTree(statusJson.out());
        assertEquals(List.of("kubernetes", "status", "ready", "1.0.0", "3", "ok"), List.of(s.path("target").asText(),
                s.path("action").asText(), s.path("outcome").asText(), s.path("version").asText(),
                s.path("revision").asText(), s.path("exitMeaning").asText()), s.toString());
        Run historyJson = cli("history", svc, "--to", "kubernetes", "--json");
        assertEquals(0, historyJson.code(), historyJson.toString());
        var h = json.readTree(historyJson.out());
        assertEquals(2, h.path("revisions").size(), "the rollback made revision 1 revision 3: " + h);
        assertEquals(3, h.path("revision").asInt(), h.toString());
        assertEquals("current", h.path("revisions").get(1).path("outcome").asText(), h.toString());

        Run render = cli("render", "kubernetes", svc, "--stdout");
        assertEquals(0, render.code(), render.toString());
        assertEquals(2, ManifestCheck.parse(render.out()).size(), "Service and Deployment");

        Run noCanary = cli("abort", svc, "--to", "kubernetes");
        assertEquals(2, noCanary.code(), noCanary.toString());
        assertTrue(noCanary.err().contains("no canary in progress on kubernetes to abort"), noCanary.err());
        Run same = cli("canary", svc, "--to", "kubernetes");
        assertEquals(2, same.code(), same.toString());
        assertTrue(same.err().contains("1.0.0 is already the stable release on kubernetes"), same.err());
        // deploy's canary flags are the same calls, through the same driver, --dry-run included.
        Run deployAbort = cli("deploy", svc, "--to", "kubernetes", "--abort");
        assertEquals(2, deployAbort.code(), deployAbort.toString());
        assertTrue(deployAbort.err().contains("no canary in progress on kubernetes to abort"), deployAbort.err());
        Run deploySame = cli("deploy", svc, "--to", "kubernetes", "--canary", "--dry-run");
        assertEquals(2, deploySame.code(), deploySame.toString());
        assertTrue(deploySame.err().contains("1.0.0 is already the stable release on kubernetes"), deploySame.err());
        Files.writeString(dir.resolve("svc/dist/artifacts.json"), """
                {"name": "myapp", "version": "1.1.0", "commit": "3333333aaaa",
                 "artifacts": [{"kind": "image", "reference": "registry.test/myapp:1.1.0",
                                "digest": "sha256:%s"}]}
                """.formatted("3".repeat(64)));
        Run canary = cli("canary", svc, "--to", "kubernetes");
        assertEquals(0, canary.code(), canary.toString());
        assertTrue(canary.err().contains("weight 50 %: 2 canary pods beside 2 stable: real weight 50.0% (requested 50%)"),
                canary.err());
        assertTrue(canary.out().contains("myapp 1.1.0 promoted on kubernetes"), canary.out());

        Run tag = cli("deploy", svc, "--to", "kubernetes", "--image", "registry.test/myapp:latest");
        assertEquals(2, tag.code());
        assertTrue(tag.err().contains("not pinned by digest"), tag.err());
        Run badRevision = cli("rollback", svc, "--target", "kubernetes", "--to", "v1");
        assertEquals(2, badRevision.code());
        Run local = cli("deploy", svc, "--image", V2);
        assertEquals(2, local.code(), "--image is for --to kubernetes");
    }

    static com.fasterxml.jackson.databind.JsonNode json(Run r) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
    }

    @Test
    void dryRunJsonAndRollbackFlags() throws Exception {
        String svc = dir.resolve("svc").toString();
        Run dry = cli("deploy", svc, "--to", "kubernetes", "--dry-run");
        assertEquals(0, dry.code(), dry.toString());
        assertTrue(dry.out().startsWith("deploy myapp 1.0.0 to kubernetes\n"), dry.out());
        assertTrue(dry.out().contains("  2. create Deployment/myapp in namespace default: image " + V1 + ", 2 replicas"),
                dry.out());
        assertTrue(dry.out().contains("manifests:\n---\n") && dry.out().endsWith("dry run: nothing was changed\n"), dry.out());
        Run dryJson = cli("deploy", svc, "--to", "kubernetes", "--dry-run", "--json");
        assertEquals(0, dryJson.code(), dryJson.toString());
        var planned = json(dryJson);
        assertEquals("planned", planned.path("outcome").asText());
        assertEquals(0, planned.path("exitCode").asInt(-1));
        assertEquals("ok", planned.path("exitMeaning").asText());
        assertEquals("kubernetes", planned.path("target").asText());
        assertEquals("deploy", planned.path("action").asText());
        assertTrue(planned.path("steps").get(1).asText().startsWith("apply Deployment/myapp: create Deployment/myapp"),
                planned.toString());
        assertTrue(planned.path("steps").get(2).asText().startsWith("rollout Deployment/myapp: watch the rollout"),
                planned.toString());
        assertEquals(null, cluster.client.apps().deployments().inNamespace(MockCluster.NS).withName("myapp").get(),
                "a dry run changes nothing");

        Run first = cli("deploy", svc, "--to", "kubernetes", "--json");
        assertEquals(0, first.code(), first.toString());
        var deployed = json(first);
        assertEquals("ok", deployed.path("outcome").asText());
        assertEquals(1, deployed.path("revision").asInt());
        assertEquals("1.0.0", deployed.path("version").asText());
        assertTrue(deployed.path("message").asText().contains("deployed to kubernetes"), deployed.toString());
        assertTrue(first.err().contains("successfully rolled out"), "progress goes to stderr: " + first);
        Files.writeString(dir.resolve("svc/dist/artifacts.json"), Files.readString(dir.resolve("svc/dist/artifacts.json"))
                .replace("\"1.0.0\"", "\"2.0.0\""));
        assertEquals(0, cli("deploy", svc, "--to", "kubernetes", "--image", V2).code());

        String before = cluster.client.apps().deployments().inNamespace(MockCluster.NS).withName("myapp").get()
                .getMetadata().getResourceVersion();
        Run bad = cli("rollback", svc, "--to", "kubernetes", "--version", "9.9.9", "--json");
        assertEquals(2, bad.code(), bad.toString());
        var refused = json(bad);
        assertEquals(2, refused.path("exitCode").asInt());
        assertEquals("usage or configuration error; nothing changed", refused.path("exitMeaning").asText());
        assertEquals("refused", refused.path("outcome").asText());
        assertEquals("rollback", refused.path("action").asText());
        assertTrue(refused.path("message").asText().startsWith("release 9.9.9 of myapp is not in the ReplicaSet history"),
                refused.toString());
        assertTrue(bad.err().contains("slipway: release 9.9.9 of myapp is not in the ReplicaSet history"), bad.err());
        Run badRevision = cli("rollback", svc, "--to", "kubernetes", "--revision", "7");
        assertEquals(2, badRevision.code(), badRevision.toString());
        assertTrue(badRevision.err().contains("no revision 7 of myapp"), badRevision.err());
        assertEquals(before, cluster.client.apps().deployments().inNamespace(MockCluster.NS).withName("myapp").get()
                .getMetadata().getResourceVersion(), "refused rollbacks changed nothing");

        Run dryBack = cli("rollback", svc, "--to", "kubernetes", "--version", "1.0.0", "--dry-run");
        assertEquals(0, dryBack.code(), dryBack.toString());
        assertTrue(dryBack.out().startsWith("rollback myapp 1.0.0 to kubernetes\n"), dryBack.out());
        Run back = cli("rollback", svc, "--to", "kubernetes", "--version", "1.0.0");
        assertEquals(0, back.code(), back.toString());
        assertTrue(back.out().contains("myapp 1.0.0 rolled back to kubernetes") && back.out().contains("(revision 3, image " + V1),
                back.out());
        Run byRevision = cli("rollback", svc, "--to", "kubernetes", "--revision", "2");
        assertEquals(0, byRevision.code(), byRevision.toString());
        assertTrue(byRevision.out().contains("myapp 2.0.0 rolled back to kubernetes"), byRevision.out());
        assertTrue(!back.err().contains("deprecated"), back.err());

        Run alias = cli("rollback", svc, "--target", "kubernetes", "--version", "1.0.0");
        assertEquals(0, alias.code(), alias.toString());
        assertTrue(alias.err().contains("slipway: warning: 'rollback --target kubernetes' is deprecated; use '--to kubernetes'"),
                alias.err());
        Run both = cli("rollback", svc, "--to", "kubernetes", "--version", "1.0.0", "--revision", "2");
        assertEquals(2, both.code(), both.toString());
    }

    @Test
    void aLockWaitThatIsNotADurationIsAUsageErrorOnEveryTarget() throws Exception {
        String svc = dir.resolve("svc").toString();
        for (String target : List.of("local", "hosts", "kubernetes", "swarm")) {
            for (String command : List.of("deploy", "rollback", "ship")) {
                Run r = cli(command, svc, "--to", target, "--lock-wait", "abc");
                assertEquals(2, r.code(), command + " --to " + target + ": " + r);
                assertTrue(r.err().startsWith("slipway: --lock-wait: "), r.err());
            }
        }
        assertTrue(!Files.exists(dir.resolve("svc/.slipway")), "nothing changed");
        assertEquals(null, cluster.client.apps().deployments().inNamespace(MockCluster.NS).withName("myapp").get());
        Run unknown = cli("deploy", svc, "--to", "kubernets", "--json");
        assertEquals(2, unknown.code(), unknown.toString());
        assertTrue(unknown.err().contains("slipway: unknown target 'kubernets'; did you mean 'kubernetes'? (available targets:"
                + " local, hosts, kubernetes, swarm)"), unknown.err());
        assertEquals("unknown target 'kubernets'; did you mean 'kubernetes'? (available targets: local, hosts, kubernetes, swarm)",
                json(unknown).path("message").asText());
        assertEquals("myapp", json(unknown).path("service").asText());
    }

    @Test
    void anUnreachableServerIsAClearFailure() throws Exception {
        Path svc = dir.resolve("svc");
        Files.writeString(svc.resolve("slipway.yaml"), "name: myapp\ndeploy: {kubernetes: {context: elsewhere}}\n");
        Run r = cli("history", svc.toString(), "--to", "kubernetes");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().startsWith("slipway: cannot reach the Kubernetes API at http://127.0.0.1:9/ (context 'elsewhere',"
                + " $KUBECONFIG or ~/.kube/config): connection refused"), r.err());
        assertTrue(!r.err().contains("internal error") && !r.err().contains("\tat "), r.err());
    }

    @Test
    void aDryRunWithoutAClusterPrintsThePlanFromSlipwayYamlThenItsCause() throws Exception {
        Path svc = dir.resolve("svc");
        Files.writeString(svc.resolve("slipway.yaml"), "name: myapp\ndeploy: {kubernetes: {context: elsewhere, replicas: 2}}\n");
        Run r = cli("deploy", svc.toString(), "--to", "kubernetes", "--dry-run");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.out().startsWith("deploy myapp 1.0.0 to kubernetes\n"), r.out());
        assertTrue(r.out().contains("create or merge into Deployment/myapp in namespace default: image " + V1 + ", 2 replicas"),
                r.out());
        assertTrue(r.out().contains("watch the rollout of deployment/myapp") && r.out().contains("record the next revision"),
                r.out());
        assertTrue(r.out().contains("manifests:\n") && r.out().contains("kind: \"Deployment\""), r.out());
        assertTrue(r.out().contains("dry run: nothing was changed"), r.out());
        List<String> err = r.err().lines().toList();
        assertEquals(1, err.size(), "one cause line:\n" + r.err());
        assertTrue(err.get(0).startsWith("slipway: cannot reach the Kubernetes API at http://127.0.0.1:9/ (context 'elsewhere',")
                && err.get(0).endsWith("; the plan above comes from slipway.yaml alone"), r.err());
        assertTrue(!r.toString().contains("myapp-canary"), "nothing of fabric8's request in the message:\n" + r);
        Run json = cli("deploy", svc.toString(), "--to", "kubernetes", "--dry-run", "--json");
        assertEquals(1, json.code(), json.toString());
        var report = json(json);
        assertEquals("failed", report.path("outcome").asText(), report.toString());
        assertTrue(report.path("message").asText().startsWith("cannot reach the Kubernetes API"), report.toString());
        assertTrue(report.path("steps").size() > 3, report.toString());
        // A real deploy fails at once with the same cause, and plans nothing.
        Run deploy = cli("deploy", svc.toString(), "--to", "kubernetes");
        assertEquals(1, deploy.code(), deploy.toString());
        assertTrue(deploy.err().startsWith("slipway: cannot reach the Kubernetes API") && deploy.out().isEmpty(), deploy.toString());
    }

    @Test
    void statusOfNothingDeployedIsExitOneAsOnEveryTarget() throws Exception {
        Run r = cli("status", dir.resolve("svc").toString(), "--to", "kubernetes", "--json");
        assertEquals(1, r.code(), r.toString());
        var s = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        assertEquals("not-deployed", s.path("outcome").asText(), s.toString());
        assertEquals("failed", s.path("exitMeaning").asText(), s.toString());
    }

    @Test
    void anUnknownContextIsAUsageError() throws Exception {
        Path svc = dir.resolve("svc");
        Files.writeString(svc.resolve("slipway.yaml"), "name: myapp\ndeploy: {kubernetes: {context: nope}}\n");
        Run r = cli("status", svc.toString(), "--to", "kubernetes");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("no context 'nope'"), r.err());
    }
}
