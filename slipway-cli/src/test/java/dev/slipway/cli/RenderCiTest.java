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

    @Test
    void jobGraphTriggersAndPostgresService() throws Exception {
        Projects.plain(tmp);
        Path wf = initAndRender(tmp);
        yamllint(wf);
        JsonNode y = parse(wf);
        JsonNode jobs = y.get("jobs");
        Map<String, List<String>> graph = new TreeMap<>();
        jobs.fields().forEachRemaining(e -> graph.put(e.getKey(), needs(e.getValue())));
        assertEquals(Map.of("lint", List.of(), "test", List.of("lint"), "release", List.of("lint", "test"),
                "image", List.of("release"), "deploy", List.of("release", "image")), graph);

        assertEquals("main", y.at("/on/push/branches/0").asText());
        assertEquals("v*", y.at("/on/push/tags/0").asText());
        assertEquals("21", y.at("/env/JAVA_VERSION").asText());
        assertTrue(y.at("/concurrency/group").asText().contains("github.ref"));

        String lint = jobs.at("/lint/steps").toString();
        assertTrue(lint.contains("verify -DskipTests") && lint.contains("-Dmaven.compiler.failOnWarning=true"), lint);
        assertEquals("postgres:16", jobs.at("/test/services/postgres/image").asText());
        assertTrue(jobs.at("/test/steps").toString().contains("jacoco-maven-plugin:0.8.15:prepare-agent"));
        for (String job : List.of("lint", "test", "release", "image", "deploy")) {
            assertTrue(jobs.at("/" + job + "/steps").toString().contains("~/.m2/repository"), job + " caches ~/.m2");
        }
        String release = jobs.at("/release/steps").toString();
        assertTrue(release.contains("slipway release \\\"$SERVICE_DIR\\\""), release);
        assertTrue(release.contains("slipway release --snapshot"), release);
        assertEquals("github.event_name == 'push'", jobs.at("/release/if").asText());
        assertTrue(jobs.at("/image/steps").toString().contains("slipway image --push"));
        assertEquals("production", jobs.at("/deploy/environment").asText());
        assertEquals("deploy-production", jobs.at("/deploy/concurrency/group").asText());
        assertFalse(jobs.at("/deploy/concurrency/cancel-in-progress").asBoolean());
        assertEquals("startsWith(github.ref, 'refs/tags/')", jobs.at("/deploy/if").asText());
        assertTrue(jobs.at("/deploy/steps").toString().contains("slipway deploy --to hosts"));
    }

    @Test
    void secretsAreReferencedNeverInlined() throws Exception {
        Projects.plain(tmp);
        String text = Files.readString(initAndRender(tmp));
        Matcher m = Pattern.compile("(?m)^\\s*(\\w*(PASSWORD|TOKEN|KEY|USERNAME)\\w*): (.*)$").matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
            assertTrue(m.group(3).matches("\\$\\{\\{ secrets\\.[A-Z_]+ }}"), "inlined: " + m.group());
        }
        assertEquals(4, n, text); // GITHUB_TOKEN, registry username and password, SSH key
    }

    @Test
    void noPostgresNoServiceAndModulePathsInMultiModule() throws Exception {
        Projects.multiModule(tmp);
        Path wf = initAndRender(tmp.resolve("shop-api"), "--environment", "prod-eu", "--deploy-target", "kubernetes");
        yamllint(wf);
        JsonNode y = parse(wf);
        assertTrue(y.at("/jobs/test/services").isMissingNode());
        assertEquals("shop-api", y.at("/env/SERVICE_DIR").asText());
        assertEquals("17", y.at("/env/JAVA_VERSION").asText());
        assertEquals("prod-eu", y.at("/jobs/deploy/environment").asText());
        assertTrue(y.at("/jobs/deploy/steps").toString().contains("slipway deploy --to kubernetes"));
        assertTrue(y.at("/jobs/release/steps").toString().contains("shop-api/dist/"));
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
}
