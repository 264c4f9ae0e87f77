package dev.slipway.init;

import java.util.List;
import java.util.stream.Collectors;

/** Writes the commented {@code slipway.yaml} that {@code slipway init} proposes ({@link Proposal}). */
public final class InitFile {
    private InitFile() {}

    /**
     * Renders the file. Every value {@link Proposal} chose comes with the comment that says why.
     * Keys and values follow docs/config.md, so the file passes {@code slipway check}.
     *
     * @param x the proposal
     * @return the YAML text
     */
    public static String render(Proposal x) {
        return render(x, dev.slipway.build.Jdk::installedHome);
    }

    /**
     * As {@link #render(Proposal)}, with the JDK the commented {@code build.jdk} line names.
     *
     * @param x       the proposal
     * @param jdkHome for a Java feature release, the home of an installed JDK that is that release or
     *                newer (what {@code init}'s warning names), or empty for none: the line then shows
     *                Debian's path of that release's JDK package
     * @return the YAML text
     */
    static String render(Proposal x, java.util.function.IntFunction<java.util.Optional<String>> jdkHome) {
        Project p = x.project();
        StringBuilder y = new StringBuilder();
        y.append("# slipway.yaml for ").append(p.name()).append(" (").append(p.framework().label())
                .append("), proposed by 'slipway init' from ").append(p.buildFile()).append(".\n");
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
        // Wrapped like the other notes: the source of the release can be long (a Gradle toolchain, a parent's property).
        comments(y, "  ", List.of("The project compiles for Java " + p.jdk() + " (" + p.jdkSource() + "). Slipway builds"
                + " and links the runtime with build.jdk, else the JDK in $JAVA_HOME: it must be JDK " + Math.max(p.jdk(), 17)
                + " or newer."));
        int release = Math.max(p.jdk(), 17);
        y.append("  # jdk: ").append(jdkHome.apply(release).orElse("/usr/lib/jvm/java-" + release + "-openjdk-amd64"))
                .append('\n');
        comments(y, "  ", x.commandNotes());
        if (x.command() != null) {
            y.append("  command: ").append(list(x.command())).append('\n');
        }
        if (x.lib() != null) {
            y.append("  lib: ").append(x.lib()).append('\n');
        }
        if (!x.files().isEmpty()) {
            y.append("  # Shipped next to the runtime: ${APP_HOME}/<path> at run time.\n");
            y.append("  files: ").append(list(x.files())).append('\n');
        }
        comments(y, "  ", x.jvmNotes());
        if (x.jvmOptions().size() > 1) {
            y.append("  jvmOptions:\n");
            x.jvmOptions().forEach(o -> y.append("    - ").append(quote(o)).append('\n'));
        } else {
            y.append("  jvmOptions: ").append(list(x.jvmOptions())).append('\n');
        }
        y.append('\n');
        if (x.train() != null) {
            Proposal.Train t = x.train();
            y.append("train:\n");
            comments(y, "  ", t.notes());
            if (t.enabled() != null) {
                y.append("  enabled: ").append(t.enabled()).append('\n');
            }
            if (t.timeout() != null) {
                y.append("  timeout: ").append(t.timeout()).append('\n');
            }
            if (t.urls() != null) {
                y.append("  urls: ").append(list(t.urls())).append('\n');
            }
            if (!t.env().isEmpty()) {
                y.append("  env:\n");
                t.env().forEach((k, v) -> y.append("    ").append(k).append(": ").append(quote(v)).append('\n'));
            }
            y.append('\n');
        }
        y.append("service:\n");
        if (x.readiness().noPort()) {
            comments(y, "  ", x.portNotes()); // no port: service.port is left out
        } else {
            y.append("  port: ").append(x.port()).append('\n');
            comments(y, "  ", x.portNotes());
        }
        if (!x.path().isEmpty()) {
            y.append("  # The app's routes are under its context path: the URL ship prints ends in it.\n");
            y.append("  path: ").append(x.path()).append('\n');
        }
        if (x.httpsOnly() != null) {
            y.append("  # The port serves HTTPS only: the URLs Slipway prints start with https://.\n");
            y.append("  scheme: https\n");
        }
        if (!x.env().isEmpty()) {
            y.append("  env:\n");
            x.env().forEach((k, v) -> y.append("    ").append(k).append(": ").append(quote(v)).append('\n'));
        }
        if (!x.args().isEmpty()) {
            comments(y, "  ", x.argNotes());
            y.append("  args: ").append(list(x.args())).append('\n');
        }
        y.append("  # SIGTERM first; SIGKILL after this long.\n");
        y.append("  drainTimeout: 30s\n");
        comments(y, "  ", x.probeNotes());
        y.append("  readiness:\n");
        probe(y, x.readiness());
        y.append("    interval: 1s\n");
        y.append("    timeout: ").append(x.timeout()).append('\n');
        y.append("  liveness:\n");
        probe(y, x.liveness());
        y.append('\n');
        y.append("deploy:\n");
        y.append("  local:\n");
        y.append("    address: 127.0.0.1\n");
        y.append("    # Releases kept for rollback.\n");
        y.append("    retain: 5\n");
        return y.toString();
    }

    private static void probe(StringBuilder y, Proposal.Probe probe) {
        if (probe.path() == null) {
            y.append("    type: ").append(probe.type()).append('\n');
        } else {
            y.append("    path: ").append(probe.path()).append('\n');
        }
    }

    /**
     * Writes notes as comment paragraphs wrapped at word boundaries within 100 columns. A note that
     * does not end with a full stop continues in the next one (the same paragraph).
     */
    private static void comments(StringBuilder y, String indent, List<String> notes) {
        int width = 100 - indent.length() - 2;
        List<String> paragraphs = new java.util.ArrayList<>();
        StringBuilder para = new StringBuilder();
        for (String n : notes) {
            para.append(para.length() > 0 ? " " : "").append(n);
            if (n.endsWith(".")) {
                paragraphs.add(para.toString());
                para.setLength(0);
            }
        }
        if (para.length() > 0) {
            paragraphs.add(para.toString());
        }
        for (String l : paragraphs) {
            StringBuilder line = new StringBuilder();
            for (String word : l.split(" ")) {
                if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                    y.append(indent).append("# ").append(line).append('\n');
                    line.setLength(0);
                }
                line.append(line.length() > 0 ? " " : "").append(word);
            }
            y.append(indent).append("# ").append(line).append('\n');
        }
    }

    private static String list(List<String> items) {
        return "[" + items.stream().map(InitFile::quote).collect(Collectors.joining(", ")) + "]";
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

    /** @return the lines of {@link Proposal#facts()} */
    public static List<String> describe(Proposal x) {
        return x.facts().entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).toList();
    }
}
