package dev.slipway.cli;

import dev.slipway.build.BuildInfo;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code slipway version}: the tool's own version, commit and build time, and the Java it runs on.
 *
 * <p>A released Slipway (its own single file, {@code slipway release} of this repository) carries
 * the build facts every Slipway build gives an app: {@code META-INF/build-info.properties} with
 * {@code build.name=slipway}. A Slipway built by Maven from a checkout ({@code ./slipway}) has none;
 * it prints the POM's version, the checkout's HEAD and the jar's time, marked as a development build.
 */
@Command(name = "version", footerHeading = "%nExample:%n", footer = {"  slipway version"},
        description = "Print Slipway's version, commit and build time, and the Java it runs on.")
public final class VersionCommand extends PrintCommand {
    @Override
    String text() {
        return String.join(System.lineSeparator(), new Provider().getVersion()) + System.lineSeparator();
    }

    /**
     * What this Slipway is.
     *
     * @param version the release version ({@code 0.2.0}), or the POM's for a development build
     * @param commit  the full commit id, or {@code unknown}
     * @param time    the build time, UTC ISO-8601 to the second, or {@code unknown}
     * @param release whether the facts come from a release's build info (else a development build)
     */
    record Facts(String version, String commit, String time, boolean release) {
        /** @return the lines {@code slipway version} prints (without the Java line) */
        List<String> lines() {
            return List.of("slipway " + version + (release ? "" : " (development build)"),
                    "commit  " + commit, "built   " + time);
        }
    }

    /**
     * Reads this Slipway's facts: a build-info resource named {@code slipway} on the class path,
     * else the version Maven filtered into {@code slipway-version.properties} with the checkout's
     * HEAD and the jar's modification time.
     *
     * @return the facts; never fails
     */
    static Facts facts() {
        try {
            for (URL url : Collections.list(VersionCommand.class.getClassLoader().getResources(BuildInfo.RESOURCE))) {
                Properties p = load(url);
                if ("slipway".equals(p.getProperty("build.name"))) {
                    return new Facts(p.getProperty("build.version", "unknown"), p.getProperty("git.commit.id", "unknown"),
                            p.getProperty("build.time", "unknown"), true);
                }
            }
        } catch (IOException ignored) {
            // Fall through to the development facts.
        }
        Properties p = new Properties();
        try (InputStream in = VersionCommand.class.getResourceAsStream("/dev/slipway/slipway-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException ignored) {
            // "dev" below.
        }
        String commit = "unknown";
        String time = "unknown";
        try {
            Path jar = Path.of(VersionCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            time = Files.getLastModifiedTime(jar).toInstant().truncatedTo(ChronoUnit.SECONDS).toString();
            commit = headOf(jar);
        } catch (Exception ignored) {
            // A class path Slipway cannot place: unknown.
        }
        return new Facts(p.getProperty("version", "dev"), commit, time, false);
    }

    /** @return the HEAD commit of the git checkout holding {@code path}, or {@code unknown} */
    private static String headOf(Path path) {
        try (var repo = new org.eclipse.jgit.storage.file.FileRepositoryBuilder().findGitDir(path.toFile()).build()) {
            var head = repo.resolve("HEAD");
            return head == null ? "unknown" : head.name() + " (the checkout's HEAD)";
        } catch (IOException | IllegalArgumentException e) {
            return "unknown";
        }
    }

    private static Properties load(URL url) throws IOException {
        Properties p = new Properties();
        try (InputStream in = url.openStream()) {
            p.load(in);
        }
        return p;
    }

    /** The lines of {@code slipway version} and {@code slipway --version}. */
    public static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            List<String> lines = new ArrayList<>(facts().lines());
            lines.add("java    " + System.getProperty("java.version") + " (" + System.getProperty("java.home") + ")");
            return lines.toArray(String[]::new);
        }
    }
}
