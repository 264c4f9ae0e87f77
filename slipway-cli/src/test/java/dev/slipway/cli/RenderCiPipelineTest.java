package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.slipway.LocalRegistry;
import dev.slipway.Tools;
import dev.slipway.deploy.kubernetes.MockCluster;
import dev.slipway.util.Hashing;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The workflow {@code slipway render ci} writes runs green: its jobs run here in their
 * {@code needs:} order, for a push of tag {@code v1.0.0}, each {@code run:} script as GitHub's
 * runner runs it ({@code bash -e}, in a fresh checkout of the job's own, with the workflow's,
 * job's and step's {@code env:}, {@code $GITHUB_PATH} and {@code $GITHUB_ENV} carried to later
 * steps). Slipway is installed by the workflow's own step from a release directory in the layout
 * Slipway's release has ({@code slipway_VERSION_linux_amd64.tar.gz} with
 * {@code slipway_VERSION_linux_amd64/bin/slipway}, and {@code checksums.txt}; that {@code slipway}
 * runs this build's CLI); the image goes to a real registry on loopback; the deploy
 * job deploys to fabric8's mock API server. The {@code uses:} steps are done by what they stand for:
 * checkout clones the repository, artifact upload and download copy files (dropping file modes, as
 * the artifact store does), setup-java and cache do nothing (this machine's JDK and ~/.m2).
 */
class RenderCiPipelineTest {
    static final String SLIPWAY_VERSION = "9.9.9";
    static final Pattern EXPR = Pattern.compile("\\$\\{\\{\\s*([a-z]+)\\.([A-Za-z_][A-Za-z0-9_]*)\\s*}}");

    @TempDir
    Path tmp;

    /** What a job left: its workspace and every step's output. */
    record JobRun(Path workspace, StringBuilder log) {}

    @Test
    void aTagPushRunsLintTestReleaseAndDeployGreen() throws Exception {
        for (String tool : List.of("git", "curl", "sha256sum", "tar", "awk", "mvn", "docker-registry", "bash")) {
            Tools.require(tool);
        }
        MockCluster cluster = null;
        try (LocalRegistry registry = LocalRegistry.start(tmp.resolve("registry"), "127.0.0.1", null)) {
            Path release = slipwayRelease(tmp.resolve("slipway-release"));
            Path origin = project(tmp.resolve("origin"), registry.address());
            Path wf = origin.resolve(".github/workflows/release.yml");
            JsonNode workflow = new ObjectMapper(new YAMLFactory()).readTree(wf.toFile());
            assertEquals(List.of("lint", "test", "release", "deploy"), order(workflow.get("jobs")),
                    Files.readString(wf));


            Map<String, String> secrets = new java.util.HashMap<>(Map.of("GITHUB_TOKEN", "unused-no-publisher",
                    "REGISTRY_USERNAME", "", "REGISTRY_PASSWORD", ""));
            Map<String, String> github = Map.of("event_name", "push", "ref", "refs/tags/v1.0.0");
            Map<String, List<Path>> artifacts = new LinkedHashMap<>();
            Map<String, JobRun> ran = new LinkedHashMap<>();
            for (String job : order(workflow.get("jobs"))) {
                JsonNode j = workflow.get("jobs").get(job);
                if (j.has("if") && !condition(j.get("if").asText(), github)) {
                    continue;
                }
                assertFalse(j.has("services"), job + ": this project needs no service containers");
                if (job.equals("deploy")) {
                    // Started now: its stand-in Deployment controller runs for two minutes from here.
                    cluster = new MockCluster();
                    secrets.put("KUBECONFIG", cluster.kubeconfig());
                }
                ran.put(job, runJob(job, j, workflow.get("env"), origin, "v1.0.0", secrets, github, artifacts));
            }
            assertEquals(List.of("lint", "test", "release", "deploy"), List.copyOf(ran.keySet()));

            // The release job installed this Slipway from the release with its checksum, and made and pushed the image.
            String releaseLog = ran.get("release").log().toString();
            assertTrue(releaseLog.contains("slipway_" + SLIPWAY_VERSION + "_linux_amd64.tar.gz: OK"), releaseLog);
            String tags = get("http://" + registry.address() + "/v2/acme/hello/tags/list");
            assertTrue(tags.contains("\"1.0.0\""), tags);

            // The deploy job got dist/ with modes kept and the pushed digest, and rolled it out.
            Path dist = ran.get("deploy").workspace().resolve("dist");
            JsonNode manifest = new ObjectMapper().readTree(dist.resolve("artifacts.json").toFile());
            String pushed = manifest.at("/image/pushed/0").asText();
            assertTrue(pushed.startsWith(registry.address() + "/acme/hello:1.0.0@sha256:"), manifest.toString());
            String digest = pushed.substring(pushed.indexOf("@") + 1);
            assertEquals(digest, manifest.at("/image/index").asText(), manifest.toString());
            for (JsonNode a : manifest.get("artifacts")) {
                if (a.get("kind").asText().equals("single-file")) {
                    assertTrue(Files.isExecutable(ran.get("deploy").workspace().resolve(a.get("path").asText())), a.toString());
                }
            }
            Deployment d = cluster.client.apps().deployments().inNamespace("default").withName("hello").get();
            assertNotNull(d, ran.get("deploy").log().toString());
            assertEquals(registry.address() + "/acme/hello@" + digest,
                    d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage().replace(":1.0.0@", "@"));
            assertTrue(ran.get("deploy").log().toString().contains("hello 1.0.0 deployed to kubernetes"),
                    ran.get("deploy").log().toString());

            // A push to main runs lint, test and a snapshot release, and never deploys.
            Map<String, String> main = Map.of("event_name", "push", "ref", "refs/heads/main");
            assertTrue(condition(workflow.at("/jobs/release/if").asText(), main));
            assertFalse(condition(workflow.at("/jobs/deploy/if").asText(), main));
            assertFalse(condition(workflow.at("/jobs/release/if").asText(), Map.of("event_name", "pull_request",
                    "ref", "refs/pull/1/merge")));
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    /** The Slipway release the workflow installs: the archive and checksums.txt of Slipway's own release layout. */
    private Path slipwayRelease(Path dir) throws Exception {
        String name = "slipway_" + SLIPWAY_VERSION + "_linux_amd64";
        Path stage = Files.createDirectories(tmp.resolve("stage/" + name + "/bin"));
        String classpath = Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(p -> !p.endsWith("test-classes")).reduce((a, b) -> a + ":" + b).orElseThrow();
        Path exe = stage.resolve("slipway");
        Files.writeString(exe, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "' -XX:TieredStopAtLevel=1 -cp '" + classpath + "' dev.slipway.cli.SlipwayCli \"$@\"\n");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(dir);
        Path archive = dir.resolve(name + ".tar.gz");
        Example.Proc tar = Example.exec(List.of("tar", "-C", tmp.resolve("stage").toString(), "-czf", archive.toString(), name),
                List.of());
        assertEquals(0, tar.code(), tar.toString());
        Files.writeString(dir.resolve("checksums.txt"), "0".repeat(64) + "  slipway_0.0.1_linux_amd64.tar.gz\n"
                + Hashing.sha256(archive) + "  " + archive.getFileName() + "\n");
        return dir;
    }

    /** A small zero-dependency HTTP service, 'slipway init', an image repository and a cluster, tagged v1.0.0. */
    private Path project(Path dir, String registry) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>com.acme</groupId>
                  <artifactId>hello</artifactId>
                  <version>1.0.0</version>
                  <properties>
                    <maven.compiler.release>17</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                  <build>
                    <plugins>
                      <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin>
                      <plugin><artifactId>maven-surefire-plugin</artifactId><version>3.5.4</version></plugin>
                      <plugin><artifactId>maven-jar-plugin</artifactId><version>3.4.2</version>
                        <configuration><archive><manifest><mainClass>com.acme.hello.Hello</mainClass></manifest></archive>
                        </configuration></plugin>
                      <plugin><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
                    </plugins>
                  </build>
                </project>
                """);
        Path src = Files.createDirectories(dir.resolve("src/main/java/com/acme/hello"));
        Files.writeString(src.resolve("Hello.java"), """
                package com.acme.hello;

                import com.sun.net.httpserver.HttpServer;
                import java.net.InetSocketAddress;
                import java.nio.charset.StandardCharsets;

                /** Answers every path with 200 "hello". */
                public final class Hello {
                    private Hello() {}

                    public static void main(String[] args) throws Exception {
                        int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
                        HttpServer s = HttpServer.create(new InetSocketAddress(port), 0);
                        s.createContext("/", x -> {
                            byte[] b = "hello".getBytes(StandardCharsets.UTF_8);
                            x.sendResponseHeaders(200, b.length);
                            x.getResponseBody().write(b);
                            x.close();
                        });
                        s.start();
                    }
                }
                """);
        Files.writeString(dir.resolve(".gitignore"), "target/\n");
        git(dir, "init", "-q", "-b", "main");
        CliRunner.Run init = CliRunner.run("init", dir.toString());
        assertEquals(0, init.code(), init.toString());
        Files.writeString(dir.resolve("slipway.yaml"), "  kubernetes: {replicas: 1, progressDeadline: 120s}\n"
                + "image: {repository: " + registry + "/acme/hello}\n", java.nio.file.StandardOpenOption.APPEND);
        CliRunner.Run check = CliRunner.run("check", dir.toString());
        assertEquals(0, check.code(), check + "\n" + Files.readString(dir.resolve("slipway.yaml")));
        CliRunner.Run render = CliRunner.run("render", "ci", dir.toString(), "--slipway-version", SLIPWAY_VERSION,
                "--slipway-url", tmp.resolve("slipway-release").toUri().toString());
        assertEquals(0, render.code(), render.toString());
        git(dir, "add", "-A");
        git(dir, "commit", "-q", "-m", "hello");
        git(dir, "tag", "v1.0.0");
        return dir;
    }

    private static void git(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", dir.toString(), "-c", "user.name=Test", "-c",
                "user.email=test@slipway.invalid", "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"));
        cmd.addAll(List.of(args));
        Example.Proc p = Example.exec(cmd, List.of());
        assertEquals(0, p.code(), cmd + ": " + p);
    }

    /** @return the jobs in an order where each comes after those it needs (the workflow's order among equals) */
    static List<String> order(JsonNode jobs) {
        List<String> out = new ArrayList<>();
        Set<String> left = new LinkedHashSet<>();
        jobs.fieldNames().forEachRemaining(left::add);
        while (!left.isEmpty()) {
            String next = left.stream().filter(j -> out.containsAll(needs(jobs.get(j)))).findFirst()
                    .orElseThrow(() -> new AssertionError("a cycle or an unknown job in needs: " + left));
            out.add(next);
            left.remove(next);
        }
        return out;
    }

    static List<String> needs(JsonNode job) {
        List<String> out = new ArrayList<>();
        JsonNode n = job.get("needs");
        if (n != null && n.isArray()) {
            n.forEach(x -> out.add(x.asText()));
        } else if (n != null) {
            out.add(n.asText());
        }
        return out;
    }

    /**
     * Evaluates the {@code if:} expressions the rendered workflow uses; any other fails the test, so
     * that a new expression gets a meaning here before it is trusted.
     */
    static boolean condition(String expr, Map<String, String> github) {
        String e = expr.trim();
        if (e.startsWith("${{") && e.endsWith("}}")) {
            e = e.substring(3, e.length() - 2).trim();
        }
        if (e.startsWith("!")) {
            return !condition(e.substring(1), github);
        }
        Matcher eq = Pattern.compile("github\\.([a-z_]+) == '([^']*)'").matcher(e);
        if (eq.matches()) {
            return github.get(eq.group(1)).equals(eq.group(2));
        }
        Matcher sw = Pattern.compile("startsWith\\(github\\.([a-z_]+), '([^']*)'\\)").matcher(e);
        if (sw.matches()) {
            return github.get(sw.group(1)).startsWith(sw.group(2));
        }
        throw new AssertionError("an if: this test does not evaluate: " + expr);
    }

    /** Replaces {@code ${{ secrets.X }}}, {@code vars.X}, {@code env.X}; any other expression fails the test. */
    static String expand(String text, Map<String, String> env, Map<String, String> secrets) {
        Matcher m = EXPR.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = switch (m.group(1)) {
                case "secrets" -> secrets.get(m.group(2));
                case "env" -> env.get(m.group(2));
                default -> null;
            };
            if (v == null) {
                throw new AssertionError("unknown expression " + m.group() + " in: " + text);
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        m.appendTail(sb);
        assertFalse(sb.toString().contains("${{"), "an expression left: " + sb);
        return sb.toString();
    }

    private JobRun runJob(String name, JsonNode job, JsonNode workflowEnv, Path origin, String ref,
                          Map<String, String> secrets, Map<String, String> github, Map<String, List<Path>> artifacts)
            throws Exception {
        Path root = Files.createDirectories(tmp.resolve("jobs/" + name));
        Path workspace = root.resolve("workspace");
        Path home = Files.createDirectories(root.resolve("home"));
        Path runnerTemp = Files.createDirectories(root.resolve("runner-temp"));
        Path githubPath = Files.createFile(root.resolve("github-path"));
        Path githubEnv = Files.createFile(root.resolve("github-env"));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", System.getenv("PATH"));
        env.put("HOME", home.toString());
        env.put("CI", "true");
        env.put("GITHUB_ACTIONS", "true");
        env.put("GITHUB_WORKSPACE", workspace.toString());
        env.put("GITHUB_PATH", githubPath.toString());
        env.put("GITHUB_ENV", githubEnv.toString());
        env.put("GITHUB_REF", github.get("ref"));
        env.put("GITHUB_EVENT_NAME", github.get("event_name"));
        env.put("RUNNER_TEMP", runnerTemp.toString());
        if (System.getenv("JAVA_HOME") != null) {
            env.put("JAVA_HOME", System.getenv("JAVA_HOME"));
        }
        for (JsonNode level : new JsonNode[] {workflowEnv, job.get("env")}) {
            if (level != null) {
                level.fields().forEachRemaining(e -> env.put(e.getKey(), expand(e.getValue().asText(), env, secrets)));
            }
        }
        StringBuilder log = new StringBuilder();
        List<String> extraPath = new ArrayList<>();
        int i = 0;
        for (JsonNode step : job.get("steps")) {
            i++;
            String label = name + " step " + i + " (" + step.path("name").asText(step.path("uses").asText()) + ")";
            if (step.has("if") && !condition(step.get("if").asText(), github)) {
                log.append("--- ").append(label).append(": skipped\n");
                continue;
            }
            log.append("--- ").append(label).append('\n');
            if (step.has("uses")) {
                uses(step, workspace, origin, ref, artifacts, label);
                continue;
            }
            Map<String, String> stepEnv = new LinkedHashMap<>(env);
            if (step.has("env")) {
                step.get("env").fields().forEachRemaining(e -> stepEnv.put(e.getKey(), expand(e.getValue().asText(), env,
                        secrets)));
            }
            List<String> path = new ArrayList<>(extraPath);
            path.add(env.get("PATH"));
            stepEnv.put("PATH", String.join(":", path));
            Path script = root.resolve("step" + i + ".sh");
            Files.writeString(script, expand(step.get("run").asText(), env, secrets));
            ProcessBuilder pb = new ProcessBuilder("bash", "-e", script.toString()).directory(workspace.toFile())
                    .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().clear();
            pb.environment().putAll(stepEnv);
            Path out = root.resolve("step" + i + ".log");
            pb.redirectOutput(out.toFile());
            Process p = pb.start();
            if (!p.waitFor(15, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                fail(label + " ran over 15 minutes:\n" + log + Files.readString(out));
            }
            log.append(Files.readString(out));
            assertEquals(0, p.exitValue(), label + " failed:\n" + tail(log.toString()) + "\n--- script\n"
                    + Files.readString(script));
            // What the step appended for later steps: PATH entries and KEY=VALUE lines.
            for (String line : Files.readAllLines(githubPath)) {
                if (!line.isBlank() && !extraPath.contains(line)) {
                    extraPath.add(0, line);
                }
            }
            for (String line : Files.readAllLines(githubEnv)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    env.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        }
        return new JobRun(workspace, log);
    }

    /** Does what a {@code uses:} step of the rendered workflow stands for; an unknown action fails the test. */
    private void uses(JsonNode step, Path workspace, Path origin, String ref, Map<String, List<Path>> artifacts,
                      String label) throws Exception {
        String action = step.get("uses").asText();
        JsonNode with = step.path("with");
        switch (action.substring(0, action.indexOf('@'))) {
            case "actions/checkout" -> {
                Example.Proc clone = Example.exec(List.of("git", "clone", "-q", origin.toString(), workspace.toString()),
                        List.of());
                assertEquals(0, clone.code(), clone.toString());
                Example.Proc co = Example.exec(List.of("git", "-C", workspace.toString(), "checkout", "-q", ref), List.of());
                assertEquals(0, co.code(), co.toString());
            }
            case "actions/setup-java" -> assertTrue(with.path("java-version").asText().contains("env.JAVA_VERSION"), label);
            case "actions/cache" -> assertEquals("~/.m2/repository", with.path("path").asText(), label);
            case "actions/upload-artifact" -> {
                String pattern = with.path("path").asText().replaceAll("/$", "");
                List<Path> files = new ArrayList<>();
                PathMatcher glob = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
                try (Stream<Path> s = Files.walk(workspace)) {
                    for (Path p : s.filter(Files::isRegularFile).toList()) {
                        Path rel = workspace.relativize(p);
                        if (rel.toString().equals(pattern) || glob.matches(rel)
                                || Stream.iterate(rel.getParent(), x -> x != null, Path::getParent).anyMatch(glob::matches)) {
                            files.add(rel);
                        }
                    }
                }
                Path store = Files.createDirectories(tmp.resolve("artifacts/" + with.path("name").asText()));
                for (Path rel : files) {
                    Path dest = store.resolve(rel.toString());
                    Files.createDirectories(dest.getParent());
                    Files.copy(workspace.resolve(rel), dest); // no COPY_ATTRIBUTES: the store keeps no modes
                    dest.toFile().setExecutable(false, false);
                }
                artifacts.put(with.path("name").asText(), files);
            }
            case "actions/download-artifact" -> {
                String name = with.path("name").asText();
                assertTrue(artifacts.containsKey(name), label + ": no artifact '" + name + "' was uploaded");
                assertFalse(artifacts.get(name).isEmpty(), label + ": artifact '" + name + "' is empty");
                Path into = with.has("path") ? workspace.resolve(with.get("path").asText()) : workspace;
                for (Path rel : artifacts.get(name)) {
                    Path dest = into.resolve(rel.toString());
                    Files.createDirectories(dest.getParent());
                    Files.copy(tmp.resolve("artifacts/" + name).resolve(rel.toString()), dest);
                }
            }
            default -> fail(label + ": an action this test does not stand in for: " + action);
        }
    }

    static String get(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url + ": " + r.body());
        return r.body();
    }

    static String tail(String s) {
        return s.length() > 12000 ? s.substring(s.length() - 12000) : s;
    }
}
