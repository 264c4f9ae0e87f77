package dev.slipway.build;

import dev.slipway.SlipwayException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds, in the output of a run on a linked runtime (the training run), the sign of a JDK module
 * the runtime lacks, and names that module. Two kinds of sign:
 * <ul>
 *   <li>a missing class, {@code ClassNotFoundException: X} or {@code NoClassDefFoundError: X}
 *       (dots or slashes), whose package the linking JDK has in a module the runtime lacks
 *       ({@link JdkModules#moduleOf}, read from the JDK itself);</li>
 *   <li>a missing service provider, known by the message the JDK or a framework prints for it,
 *       mapped to the service interface, whose providers are read from the linking JDK's module
 *       descriptors ({@link JdkModules#providersOf}): {@code FileSystemProvider} for
 *       {@code ProviderNotFoundException}, {@code Provider "jar" not found/installed} and Quarkus'
 *       {@code Unable to find provider supporting jar scheme}; {@code CharsetProvider} for
 *       {@code UnsupportedCharsetException}; {@code java.security.Provider} for
 *       {@code NoSuchAlgorithmException}; {@code RandomGenerator} for "No implementation of the
 *       random number generator algorithm"; and the service named by a
 *       {@code ServiceConfigurationError}.</li>
 * </ul>
 * The runtime's own modules are read from its {@code release} file ({@code MODULES=}, written by
 * jlink).
 */
public final class MissingModule {
    private static final Pattern CLASS = Pattern.compile(
            "(?:ClassNotFoundException|NoClassDefFoundError)(?::\\s*|\\s+)((?:java|javax|jdk|sun|com\\.sun|com/sun|org\\.w3c|org/w3c"
                    + "|org\\.xml|org/xml|org\\.ietf|org/ietf)[./][\\w$./]*)");
    private static final Map<Pattern, String> SERVICES = new LinkedHashMap<>();

    static {
        SERVICES.put(Pattern.compile("Unable to find provider supporting (?:jar|zip) scheme|ProviderNotFoundException"
                + "|Provider \"(?:jar|zip)\" not (?:found|installed)"), "java.nio.file.spi.FileSystemProvider");
        SERVICES.put(Pattern.compile("UnsupportedCharsetException"), "java.nio.charset.spi.CharsetProvider");
        SERVICES.put(Pattern.compile("NoSuchAlgorithmException"), "java.security.Provider");
        SERVICES.put(Pattern.compile("No implementation of the random number generator algorithm"),
                "java.util.random.RandomGenerator");
    }

    private static final Pattern SERVICE_ERROR = Pattern.compile("ServiceConfigurationError: ([\\w$.]+)");

    private MissingModule() {}

    /**
     * Looks for a missing JDK module in a run's output.
     *
     * @param output  the run's combined output
     * @param runtime the linked runtime it ran on (with a {@code release} file)
     * @param jdk     the modules of the JDK the runtime was linked from
     * @return the failure to report ("the app needs module X, which jdeps did not find: add it to
     *         build.modules in slipway.yaml", with the output line that shows it), or empty
     */
    public static Optional<SlipwayException> find(String output, Path runtime, JdkModules jdk) {
        Set<String> present = modulesOf(runtime);
        if (present.isEmpty()) {
            return Optional.empty(); // without the runtime's module list nothing can be told
        }
        for (String line : output.lines().toList()) {
            Matcher c = CLASS.matcher(line);
            if (c.find()) {
                String cls = c.group(1).replaceAll("[./]+$", "");
                Optional<String> module = jdk.moduleOf(cls).filter(m -> !present.contains(m));
                if (module.isPresent()) {
                    return Optional.of(failure(List.of(module.get()), line.strip(), "the JDK has " + cls.replace('/', '.')
                            + " in " + module.get()));
                }
            }
            List<String> services = new ArrayList<>();
            SERVICES.forEach((p, s) -> {
                if (p.matcher(line).find()) {
                    services.add(s);
                }
            });
            Matcher e = SERVICE_ERROR.matcher(line);
            if (e.find()) {
                services.add(e.group(1));
            }
            for (String service : services) {
                List<String> providers = jdk.providersOf(service).stream().filter(m -> !present.contains(m)).toList();
                if (!providers.isEmpty()) {
                    return Optional.of(failure(providers, line.strip(), String.join(", ", providers) + " provide"
                            + (providers.size() == 1 ? "s " : " ") + service));
                }
            }
        }
        return Optional.empty();
    }

    private static SlipwayException failure(List<String> modules, String line, String why) {
        String what = modules.size() == 1 ? "module " + modules.get(0) : "one of the modules " + String.join(", ", modules);
        return SlipwayException.failed("the app needs " + what + ", which jdeps did not find: add "
                + (modules.size() == 1 ? "it" : "the one it uses") + " to build.modules in slipway.yaml\n"
                + "  the run printed: " + line + "\n  (" + why + ")");
    }

    /** @return the modules of a linked runtime, from {@code MODULES} in its {@code release} file */
    static Set<String> modulesOf(Path runtime) {
        Properties release = new Properties();
        try (var in = Files.newInputStream(runtime.resolve("release"))) {
            release.load(in);
        } catch (IOException e) {
            return Set.of();
        }
        String modules = release.getProperty("MODULES", "").replace("\"", "").trim();
        return modules.isEmpty() ? Set.of() : Set.of(modules.split("\\s+"));
    }
}
