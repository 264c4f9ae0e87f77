package dev.slipway.build;

import dev.slipway.SlipwayException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * A JDK that can link runtimes: it has {@code bin/jlink} and {@code bin/jdeps}, and either
 * {@code jmods/} or (JDK 24+, JEP 493) a linkable run-time image.
 *
 * @param home           the JDK's home directory
 * @param version        the full version from {@code release}, e.g. {@code 17.0.15}
 * @param feature        the feature release number, e.g. {@code 17}
 * @param hasJmods       whether {@code jmods/} exists
 */
public record Jdk(Path home, String version, int feature, boolean hasJmods) {

    /**
     * Finds the JDK for linking: the configured one, else {@code $JAVA_HOME}, else the JDK that runs
     * Slipway when it is a full JDK (Slipway started from a checkout), else the JDK of {@code java}
     * on {@code PATH} (Slipway's own single file runs on a linked runtime without jlink).
     *
     * @param configured {@code build.jdk} from slipway.yaml, or {@code null}
     * @return the JDK
     * @throws SlipwayException (exit 2) when there is no JDK at all (one line saying where Slipway
     *                          looked), or that JDK has no jlink, or neither jmods nor a linkable
     *                          run-time image
     */
    public static Jdk locate(Path configured) {
        Path home;
        String source;
        Path running = Path.of(System.getProperty("java.home"));
        if (configured != null) {
            home = configured;
            source = "build.jdk in slipway.yaml";
        } else if (System.getenv("JAVA_HOME") != null && !System.getenv("JAVA_HOME").isBlank()) {
            home = Path.of(System.getenv("JAVA_HOME"));
            source = "JAVA_HOME";
        } else if (Files.isExecutable(running.resolve("bin/jlink"))) {
            home = running;
            source = "the JDK running Slipway";
        } else {
            home = onPath(System.getenv("PATH")).orElseThrow(() -> SlipwayException.usage(NO_JDK));
            source = "java on PATH";
        }
        return at(home, source);
    }

    /**
     * The JDKs installed side by side under {@code root} (Debian and most distributions keep them
     * in {@code /usr/lib/jvm}) that can link runtimes, for a message that names a real one.
     *
     * @param root the directory whose subdirectories are JDK homes; may be missing
     * @return the JDKs that pass {@link #at}, by feature release then path; empty when none
     */
    public static java.util.List<Jdk> installed(Path root) {
        try (java.util.stream.Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> Files.isDirectory(d) && !Files.isSymbolicLink(d)).sorted().flatMap(d -> {
                try {
                    return java.util.stream.Stream.of(at(d, d.toString()));
                } catch (SlipwayException e) {
                    return java.util.stream.Stream.empty();
                }
            }).sorted(java.util.Comparator.comparingInt(Jdk::feature)).toList();
        } catch (IOException | RuntimeException e) {
            return java.util.List.of();
        }
    }

    /** Where side-by-side JDKs are installed on Debian and most other distributions. */
    public static final Path INSTALLED = Path.of("/usr/lib/jvm");

    /**
     * The first JDK under {@link #INSTALLED} (by feature release, see {@link #installed}) that is
     * {@code release} or newer: what a message suggests for {@code build.jdk}.
     *
     * @param release the Java feature release needed
     * @return that JDK, or empty when none is installed there
     */
    public static java.util.Optional<Jdk> installedAtLeast(int release) {
        return installed(INSTALLED).stream().filter(j -> j.feature() >= release).findFirst();
    }

    /**
     * @param release the Java feature release needed
     * @return the home of {@link #installedAtLeast}, or empty
     */
    public static java.util.Optional<String> installedHome(int release) {
        return installedAtLeast(release).map(j -> j.home().toString());
    }

    /** The one line said when no JDK can be found for building. */
    static final String NO_JDK = "no JDK to build with: build, release and image need a JDK 17+ with jlink;"
            + " set build.jdk in slipway.yaml or JAVA_HOME, or put its java on PATH"
            + " (Debian: apt-get install openjdk-17-jdk-headless)";

    /**
     * The home of the {@code java} found first on a search path, following symbolic links
     * ({@code /usr/bin/java} to {@code /usr/lib/jvm/java-17-openjdk-amd64/bin/java} on Debian).
     *
     * @param path the search path, {@code :}-separated; may be {@code null}
     * @return the directory above its {@code bin/}, or empty when there is no {@code java}
     */
    static Optional<Path> onPath(String path) {
        for (String dir : (path == null ? "" : path).split(":")) {
            Path java = Path.of(dir.isEmpty() ? "." : dir, "java");
            if (!dir.isEmpty() && Files.isExecutable(java) && !Files.isDirectory(java)) {
                try {
                    Path real = java.toRealPath();
                    if (real.getParent() != null && real.getParent().getParent() != null) {
                        return Optional.of(real.getParent().getParent());
                    }
                } catch (IOException e) {
                    // A dangling link: look further.
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Inspects a JDK home.
     *
     * @param home   the directory
     * @param source where the path came from, for messages
     * @return the JDK
     * @throws SlipwayException (exit 2) when it cannot link runtimes
     */
    public static Jdk at(Path home, String source) {
        if (!Files.isExecutable(home.resolve("bin/jlink")) || !Files.isExecutable(home.resolve("bin/jdeps"))) {
            throw SlipwayException.usage("no JDK with jlink at " + home + " (from " + source
                    + "): a JRE or a JDK without jlink cannot link a runtime. Install a full JDK 17+"
                    + " (Debian: apt-get install openjdk-17-jdk-headless) and set"
                    + " JAVA_HOME or build.jdk to it");
        }
        Properties release = release(home, "from " + source);
        String version = value(release, "JAVA_VERSION");
        int feature = feature(home, version);
        if (feature < 17) {
            throw SlipwayException.usage("the JDK at " + home + " is Java " + feature
                    + "; Slipway links runtimes with JDK 17 or newer");
        }
        boolean jmods = Files.isDirectory(home.resolve("jmods"));
        if (!jmods && feature < 24) {
            throw SlipwayException.usage("the JDK at " + home + " (from " + source + ") has no jmods/"
                    + " directory, so jlink cannot link from it. Use a full JDK that has them"
                    + " (Debian: apt-get install openjdk-" + feature + "-jdk-headless) and point build.jdk or JAVA_HOME at it");
        }
        return new Jdk(home, version, feature, jmods);
    }

    /**
     * Inspects the JDK whose {@code jmods/} are linked for a foreign platform. It must have
     * {@code jmods/}, be of the linker's feature release (jlink refuses others), and be built for
     * {@code platform} according to its {@code release} file. The host JDK is never used in its
     * place (adoptium-support#1271 shows that trap).
     *
     * @param home     the target JDK's home
     * @param platform the platform it must be for
     * @param linker   the JDK whose jlink runs
     * @return the target JDK
     * @throws SlipwayException (exit 2) when any check fails, with the fix
     */
    public static Jdk target(Path home, Platform platform, Jdk linker) {
        String setting = "build.targetJdks." + platform;
        if (!Files.isDirectory(home.resolve("jmods"))) {
            throw SlipwayException.usage("the " + platform + " JDK at " + home + " (" + setting + ") has no jmods/"
                    + " directory; point " + setting + " at a full " + platform + " JDK " + linker.feature()
                    + " (Debian: apt-get download openjdk-" + linker.feature() + "-jdk-headless:" + platform.arch()
                    + " and extract it with dpkg-deb -x)");
        }
        Properties release = release(home, setting);
        String version = value(release, "JAVA_VERSION");
        int feature = feature(home, version);
        if (feature != linker.feature()) {
            throw SlipwayException.usage("the " + platform + " JDK at " + home + " is JDK " + feature + " but jlink is JDK "
                    + linker.feature() + " (" + linker.home() + "); jlink links only jmods of its own feature release:"
                    + " use a " + platform + " JDK " + linker.feature() + " or set build.jdk to a JDK " + feature);
        }
        String arch = value(release, "OS_ARCH");
        String expected = platform.arch().equals("amd64") ? "x86_64|amd64" : "aarch64|arm64";
        if (!arch.isEmpty() && !arch.matches(expected)) {
            throw SlipwayException.usage("the JDK at " + home + " (" + setting + ") is for " + arch + ", not "
                    + platform + "; point " + setting + " at a JDK built for " + platform);
        }
        return new Jdk(home, version, feature, true);
    }

    /** Reads a JDK's {@code release} file; {@code where} says where the path came from, for messages. */
    private static Properties release(Path home, String where) {
        Properties release = new Properties();
        try (var in = Files.newInputStream(home.resolve("release"))) {
            release.load(in);
        } catch (IOException e) {
            throw SlipwayException.usage("cannot read " + home.resolve("release") + " (" + where + "): is this a JDK home?");
        }
        return release;
    }

    private static String value(Properties release, String key) {
        return release.getProperty(key, "").replace("\"", "");
    }

    private static int feature(Path home, String version) {
        try {
            return Integer.parseInt(version.split("[.+-]")[0]);
        } catch (NumberFormatException e) {
            throw SlipwayException.usage("cannot tell the Java version of " + home + " from its release file");
        }
    }

    /** @return the path of a tool in {@code bin/}, e.g. {@code tool("jlink")} */
    public Path tool(String name) {
        return home.resolve("bin").resolve(name);
    }
}
