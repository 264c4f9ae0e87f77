package dev.slipway.init;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Writes the commented {@code slipway.yaml} that {@code slipway init} proposes for a {@link Project}. */
public final class InitFile {
    private InitFile() {}

    /**
     * Renders the file. The result is valid for {@code slipway check} (keys and values follow
     * docs/config.md).
     *
     * @param p    the detected project
     * @param port the service port to configure
     * @return the YAML text
     */
    public static String render(Project p, int port) {
        StringBuilder y = new StringBuilder();
        y.append("# slipway.yaml for ").append(p.name()).append(", proposed by 'slipway init' from ")
                .append(p.multiModule() ? p.modulePath() + "/pom.xml" : "pom.xml").append(".\n");
        y.append("# Reference: docs/config.md of Slipway, or 'slipway schema'. Validate with 'slipway check'.\n");
        y.append("name: ").append(p.name()).append('\n');
        y.append('\n');
        if (p.mainClass() != null) {
            y.append("# Main class: from ").append(p.mainSource()).append(".\n");
            y.append("main: ").append(p.mainClass()).append('\n');
        } else {
            y.append("# Main class: ").append(p.mainSource()).append(" (no 'main:' needed).\n");
        }
        y.append('\n');
        y.append("build:\n");
        y.append("  # The project compiles for Java ").append(p.jdk()).append(" (").append(p.jdkSource())
                .append("). Slipway links the runtime\n");
        y.append("  # with the JDK in $JAVA_HOME, or build.jdk: it must be JDK ").append(Math.max(p.jdk(), 17))
                .append(" or newer, with jmods/.\n");
        y.append("  # jdk: /usr/lib/jvm/java-").append(Math.max(p.jdk(), 17)).append("-openjdk-amd64\n");
        if (p.customBuildCommand()) {
            if (p.multiModule()) {
                y.append("  # One module of a multi-module build: build it and the modules it needs from the root.\n");
            }
            switch (p.framework()) {
                case SPRING_BOOT -> y.append("  # Spring Boot: keep the plain jar (no repackaging); Slipway puts the\n"
                        + "  # dependencies copied to target/slipway/lib on the class path itself.\n");
                case QUARKUS -> y.append("  # Quarkus: one uber-jar that holds every dependency.\n");
                default -> y.append("  # The jar goes to target/, the runtime dependencies to target/slipway/lib.\n");
            }
            y.append("  command: [").append(p.buildCommand().stream().map(InitFile::quote)
                    .collect(Collectors.joining(", "))).append("]\n");
        } else {
            y.append("  # The default command: mvn -q -B -DskipTests package, then the runtime\n");
            y.append("  # dependencies are copied to target/slipway/lib.\n");
        }
        y.append("  # Exit on OutOfMemoryError so that the supervisor restarts a clean process.\n");
        y.append("  jvmOptions: [\"-XX:+ExitOnOutOfMemoryError\"]\n");
        y.append('\n');
        y.append("service:\n");
        y.append("  port: ").append(port).append('\n');
        Map<String, String> env = env(p, port);
        if (p.framework().portEnv() == null) {
            y.append("  # Slipway passes PORT and ADDR: the app must listen on $PORT at $ADDR and answer the\n");
            y.append("  # probe paths below (").append(p.framework().label()).append(" has no built-in health endpoint).\n");
        } else {
            y.append("  # Slipway passes PORT; ").append(p.framework().label()).append(" reads ")
                    .append(p.framework().portEnv()).append(".\n");
        }
        if (!env.isEmpty()) {
            y.append("  env:\n");
            env.forEach((k, v) -> y.append("    ").append(k).append(": ").append(quote(v)).append('\n'));
        }
        y.append("  # SIGTERM first; SIGKILL after this long.\n");
        y.append("  drainTimeout: 30s\n");
        y.append("  # Probe paths of ").append(p.framework().label()).append('.');
        if (p.framework() == Project.Framework.HELIDON) {
            y.append(" Helidon SE 4 serves them under /observe/health.");
        }
        y.append('\n');
        y.append("  readiness:\n");
        y.append("    path: ").append(p.framework().readiness()).append('\n');
        y.append("    interval: 1s\n");
        y.append("    timeout: ").append(p.framework() == Project.Framework.PLAIN
                || p.framework() == Project.Framework.JAVALIN ? "30s" : "60s").append('\n');
        y.append("  liveness:\n");
        y.append("    path: ").append(p.framework().liveness()).append('\n');
        y.append('\n');
        y.append("deploy:\n");
        y.append("  local:\n");
        y.append("    address: 127.0.0.1\n");
        y.append("    # Releases kept for rollback.\n");
        y.append("    retain: 5\n");
        return y.toString();
    }

    private static Map<String, String> env(Project p, int port) {
        Map<String, String> env = new LinkedHashMap<>();
        if (p.framework().portEnv() != null) {
            env.put(p.framework().portEnv(), Integer.toString(port));
        }
        if (p.framework() == Project.Framework.SPRING_BOOT) {
            // Actuator serves the readiness and liveness groups outside Kubernetes only when enabled.
            env.put("MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED", "true");
            env.put("SERVER_SHUTDOWN", "graceful");
        }
        return env;
    }

    /** @return a YAML double-quoted scalar (JSON string rules, which YAML 1.2 accepts) */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> b.append(c);
            }
        }
        return b.append('"').toString();
    }

    /** @return the lines of {@link Project#facts()} */
    public static List<String> describe(Project p) {
        return p.facts().entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).toList();
    }
}
