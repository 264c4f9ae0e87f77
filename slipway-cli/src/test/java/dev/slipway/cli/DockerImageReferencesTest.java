package dev.slipway.cli;

import static dev.slipway.DockerTestbed.docker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.DockerTestbed;
import dev.slipway.Tools;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image whose {@code service.env}, {@code image.env}, {@code build.jvmOptions} and
 * {@code service.args} use {@code ${PORT}} and {@code ${ADDR}}, run by a real Docker engine
 * ({@code testbed/docker.sh}) with another {@code PORT} than {@code service.port}, as a Swarm task
 * with {@code portPrefixes} is: the image's entrypoint (slipway-start) expands them from the
 * container's variables, so myapp, told its port by {@code --port=${PORT}}, binds that port, and
 * java's command line and environment (read from {@code /proc} of the container's PID 1) hold the
 * container's port and address, with quotes, spaces and other {@code $} text as written. Names and
 * ports are derived per run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DockerImageReferencesTest {
    /** A JVM option whose quotes, spaces and other $ text must reach java as written. */
    static final String OPTION = "-Dslipway.test=a b 'c' \"d\" ${PORT} $X ${HOME} $";

    Path dir;
    String ref;
    final List<String> containers = new ArrayList<>();

    @BeforeAll
    void buildImage(@TempDir Path tmp) throws Exception {
        DockerTestbed.require();
        Tools.requireThat(Tools.root(), "reading /proc/PID/environ of the container's java needs root");
        dir = tmp.resolve("myapp");
        Example.copy(dir);
        String yaml = Files.readString(dir.resolve("slipway.yaml"));
        String jvm = "  jvmOptions: [\"-XX:+ExitOnOutOfMemoryError\"]";
        assertTrue(yaml.contains(jvm), yaml);
        yaml = yaml.replace(jvm, "  jvmOptions: [\"-XX:+ExitOnOutOfMemoryError\", '" + OPTION.replace("'", "''") + "']")
                .replace("  drainTimeout: 30s\n", """
                          drainTimeout: 30s
                          args: ["--port=${PORT}", "--addr=${ADDR}"]
                          env:
                            SELF_URL: "http://${ADDR}:${PORT}/"
                            SAID: 'it''s "q" $HOME ${HOME} $'
                        """)
                + """
                image:
                  repository: 127.0.0.1:5000/acme/%s
                  env: {MANAGEMENT_PORT: "${PORT}"}
                """.formatted(DockerTestbed.unique("myapp-refs"));
        Files.writeString(dir.resolve("slipway.yaml"), yaml);
        Example.commit(dir);
        CliRunner.ok("build", dir.toString(), "--version", "1.0.0");
        var i = CliRunner.ok("image", dir.toString(), "--docker");
        ref = yaml.lines().filter(l -> l.startsWith("  repository: ")).findFirst().orElseThrow()
                .substring("  repository: ".length()) + ":1.0.0";
        assertTrue(i.toString().contains("loaded " + ref), i.toString());
    }

    @AfterAll
    void cleanUp() {
        for (String c : containers) {
            docker(60, "rm", "-f", c);
        }
        if (ref != null) {
            docker(60, "rmi", "-f", ref);
        }
    }

    @Test
    void theContainersPortAndAddressReachEnvJvmOptionsAndArgs() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        assertTrue(port != 8080, "a port other than service.port");
        String name = DockerTestbed.unique("myapp-refs-run");
        containers.add(name);
        docker(120, "run", "-d", "--name", name, "--network", "host", "-e", "PORT=" + port, "-e", "ADDR=127.0.0.1",
                "-e", "OTHER=${PORT}", ref).ok();
        int status = DockerTestbed.awaitStatus("http://127.0.0.1:" + port + "/health/ready", 200, 90);
        assertEquals(200, status, "myapp binds --port=${PORT} expanded to the container's PORT\n" + docker(30, "logs", name));

        long pid = Long.parseLong(docker(30, "inspect", "-f", "{{.State.Pid}}", name).ok().out().strip());
        assertEquals("java", Files.readString(Path.of("/proc/" + pid + "/comm")).strip(), "slipway-start executed java");
        List<String> argv = List.of(new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")),
                StandardCharsets.UTF_8).split("\0"));
        assertEquals("/opt/myapp/runtime/bin/java", argv.get(0), argv.toString());
        assertTrue(argv.contains("-Dslipway.test=a b 'c' \"d\" " + port + " $X ${HOME} $"), "one word, as written: " + argv);
        assertEquals(List.of("--port=" + port, "--addr=127.0.0.1"), argv.subList(argv.size() - 2, argv.size()), argv.toString());

        Map<String, String> env = new LinkedHashMap<>();
        for (String e : new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")), StandardCharsets.UTF_8).split("\0")) {
            int eq = e.indexOf('=');
            env.put(e.substring(0, eq), e.substring(eq + 1));
        }
        assertEquals(String.valueOf(port), env.get("PORT"));
        assertEquals("http://127.0.0.1:" + port + "/", env.get("SELF_URL"), env.toString());
        assertEquals(String.valueOf(port), env.get("MANAGEMENT_PORT"), "image.env too: " + env);
        assertEquals("it's \"q\" $HOME ${HOME} $", env.get("SAID"), "no reference, left as written");
        assertEquals("${PORT}", env.get("OTHER"), "a variable slipway.yaml does not give a reference is not touched");
    }
}
