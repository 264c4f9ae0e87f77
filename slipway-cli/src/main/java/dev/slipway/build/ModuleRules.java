package dev.slipway.build;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * JDK modules an app reaches without a static reference, which {@code jdeps} therefore cannot
 * find (it reads only static references, see the jdeps man page): service providers the JDK
 * loads with {@link java.util.ServiceLoader}, agents the JVM starts, classes libraries load by
 * name. Each rule looks at cheap evidence ({@link JarScan}: manifests, resource names, constant
 * pools; the jdeps result; {@code build.jvmOptions}) and adds a module when the linking JDK has it.
 *
 * <table>
 *   <caption>The rules</caption>
 *   <tr><th>rule</th><th>module</th><th>when</th><th>why (source)</th></tr>
 *   <tr><td>zip file systems</td><td>jdk.zipfs</td>
 *       <td>a class calls {@code FileSystems.newFileSystem} or {@code FileSystemProvider.installedProviders},
 *       or has a {@code jar:} literal and turns a URI into a path ({@code Path.of(URI)},
 *       {@code Paths.get(URI)}, {@code FileSystems.getFileSystem(URI)})</td>
 *       <td>the {@code jar}/{@code zip} file system provider is in jdk.zipfs and found by
 *       {@code ServiceLoader} at run time (jdk.zipfs module summary); without it:
 *       {@code ProviderNotFoundException}, Quarkus' "Unable to find provider supporting jar scheme"</td></tr>
 *   <tr><td>agents</td><td>java.instrument</td>
 *       <td>a manifest has {@code Premain-Class}, {@code Agent-Class} or {@code Launcher-Agent-Class},
 *       or {@code build.jvmOptions} has {@code -javaagent:}</td>
 *       <td>the JVM starts agents through java.instrument (java.lang.instrument package summary,
 *       JAR File Specification "Launcher-Agent-Class")</td></tr>
 *   <tr><td>TLS</td><td>jdk.crypto.ec (JDK 17-21)</td>
 *       <td>the modules include java.net.http or java.naming, a class references
 *       {@code javax.net.ssl}, or a literal starts with {@code https:} or {@code ldaps:}</td>
 *       <td>the SunEC provider (EC keys, the ECDHE key exchange most TLS servers require) is a
 *       security provider in jdk.crypto.ec, loaded by name (JDK 17 Security Developer's Guide, "The
 *       SunEC Provider"); JDK 22 moved it into java.base (JDK-8308398)</td></tr>
 *   <tr><td>locales</td><td>jdk.localedata</td>
 *       <td>the application jar(s), not the dependencies, hold resource bundles for a locale
 *       ({@code name_<lang>[_<COUNTRY>].properties}), or {@code build.jvmOptions} set
 *       {@code user.language}, {@code user.country}, {@code user.region} or {@code user.format}
 *       to other than English</td>
 *       <td>java.base has the locale data of English and the root locale only; dates, numbers
 *       and names of every other locale are locale service providers in jdk.localedata (JEP 252,
 *       jlink's {@code --include-locales}); without it they silently fall back to the root locale.
 *       A library's own translations do not count: they say what it can show, not what the app
 *       serves</td></tr>
 *   <tr><td>JMX remote</td><td>jdk.management.agent</td>
 *       <td>{@code build.jvmOptions} has {@code -Dcom.sun.management.jmxremote...}</td>
 *       <td>the JMX agent the VM starts for these properties is in jdk.management.agent
 *       (Monitoring and Management Guide, module summary)</td></tr>
 *   <tr><td>JMX</td><td>jdk.management</td>
 *       <td>the modules include java.management</td>
 *       <td>the platform MXBeans' {@code com.sun.management} extensions (process CPU load, GC
 *       notifications, HotSpot diagnostics) are in jdk.management; metrics libraries reach
 *       them through {@code ManagementFactory} by interface name, not by a static reference</td></tr>
 *   <tr><td>random generators</td><td>jdk.random (JDK 17-22)</td>
 *       <td>a class calls {@code RandomGenerator.of/getDefault} or uses
 *       {@code RandomGeneratorFactory}</td>
 *       <td>the JEP 356 algorithms, the default L32X64MixRandom included, are service providers
 *       in jdk.random until JDK 23 moved them into java.base</td></tr>
 *   <tr><td>JNDI DNS</td><td>jdk.naming.dns</td>
 *       <td>the modules include java.naming and a literal starts with {@code dns:}</td>
 *       <td>the JNDI DNS service provider is in jdk.naming.dns, found by URL scheme (module summary)</td></tr>
 *   <tr><td>by name</td><td>the class's module</td>
 *       <td>a string literal is the name of a class in {@link #BY_NAME}'s modules, e.g.
 *       {@code "sun.misc.Unsafe"} (jdk.unsupported), {@code "com.sun.management.OperatingSystemMXBean"}
 *       (jdk.management), {@code "jdk.net.ExtendedSocketOptions"} (jdk.net),
 *       {@code "com.sun.jndi.dns.DnsContextFactory"} (jdk.naming.dns)</td>
 *       <td>libraries load these with {@code Class.forName} to use them when present (Netty,
 *       Caffeine, Micrometer); the module of the class is read from the linking JDK ({@link JdkModules})</td></tr>
 * </table>
 */
public final class ModuleRules {
    /**
     * The run-time modules the "by name" rule may add. Development tools (jdk.compiler,
     * jdk.jshell, jdk.jdi, ...) and java.* modules are left out: a name of theirs in a string is
     * an optional integration, and java.* modules are statically referenced when used.
     */
    public static final Set<String> BY_NAME = Set.of("jdk.unsupported", "jdk.management", "jdk.management.jfr", "jdk.jfr",
            "jdk.net", "jdk.naming.dns", "jdk.httpserver", "jdk.security.auth", "jdk.security.jgss", "jdk.nio.mapmode",
            "jdk.crypto.cryptoki");
    private static final Pattern LOCALE_OPTION = Pattern.compile("-Duser\\.(language|country|region|format)=(.*)");

    private ModuleRules() {}

    /**
     * A module a rule adds.
     *
     * @param module   the module, e.g. {@code jdk.zipfs}
     * @param rule     the rule's name, e.g. {@code zip file systems}
     * @param evidence what triggered it, e.g. {@code app.jar calls FileSystems.newFileSystem}
     */
    public record Added(String module, String rule, String evidence) {
        /** @return e.g. {@code jdk.zipfs (zip file systems: app.jar calls FileSystems.newFileSystem)} */
        @Override
        public String toString() {
            return module + " (" + rule + ": " + evidence + ")";
        }
    }

    /**
     * Applies every rule.
     *
     * @param app        what the application jar(s) show
     * @param deps       what the dependency jars show
     * @param found      the modules found so far (jdeps, or the fallback set)
     * @param jvmOptions {@code build.jvmOptions}
     * @param jdk        the linking JDK's modules
     * @param feature    the linking JDK's feature release
     * @return the modules to add, not in {@code found}, each once, in rule order
     */
    public static List<Added> apply(JarScan app, JarScan deps, Set<String> found, List<String> jvmOptions,
                                    JdkModules jdk, int feature) {
        Map<String, Added> out = new LinkedHashMap<>();
        Evidence ev = new Evidence(app, deps);

        String zip = ev.first("method:java/nio/file/FileSystems.newFileSystem(",
                "method:java/nio/file/spi/FileSystemProvider.installedProviders(");
        if (zip == null && ev.first("scheme:jar:") != null) {
            zip = ev.first("method:java/nio/file/Path.of(Ljava/net/URI;)", "method:java/nio/file/Paths.get(Ljava/net/URI;)",
                    "method:java/nio/file/FileSystems.getFileSystem(");
        }
        if (zip != null) {
            add(out, jdk, found, "jdk.zipfs", "zip file systems", ev.jar(zip) + " calls " + method(zip));
        }

        String agent = ev.first("manifest:Premain-Class", "manifest:Agent-Class", "manifest:Launcher-Agent-Class");
        if (agent != null) {
            add(out, jdk, found, "java.instrument", "agents", ev.jar(agent) + " has " + agent.substring("manifest:".length()));
        }
        jvmOptions.stream().filter(o -> o.startsWith("-javaagent:")).findFirst()
                .ifPresent(o -> add(out, jdk, found, "java.instrument", "agents", "build.jvmOptions has " + o));

        if (feature < 22) {
            String tls = found.contains("java.net.http") ? "the app uses java.net.http"
                    : found.contains("java.naming") ? "the app uses java.naming" : null;
            if (tls == null) {
                String f = ev.first("class:javax/net/ssl/", "scheme:https:", "scheme:ldaps:");
                tls = f == null ? null : ev.jar(f) + (f.startsWith("class:") ? " uses " + f.substring(6).replace('/', '.')
                        : " has a " + f.substring(7) + " URL");
            }
            if (tls != null) {
                add(out, jdk, found, "jdk.crypto.ec", "TLS", tls);
            }
        }

        String bundle = app.first("bundle:");
        if (bundle != null) {
            add(out, jdk, found, "jdk.localedata", "locales", app.jarOf(bundle) + " has " + bundle.substring(7));
        }
        for (String o : jvmOptions) {
            Matcher m = LOCALE_OPTION.matcher(o);
            if (m.matches() && !m.group(2).isEmpty() && !m.group(2).equals("en") && !m.group(2).equals("US")
                    && !m.group(2).startsWith("en-") && !m.group(2).startsWith("en_")) {
                add(out, jdk, found, "jdk.localedata", "locales", "build.jvmOptions has " + o);
            }
        }

        jvmOptions.stream().filter(o -> o.startsWith("-Dcom.sun.management.jmxremote")).findFirst()
                .ifPresent(o -> add(out, jdk, found, "jdk.management.agent", "JMX remote", "build.jvmOptions has " + o));
        if (found.contains("java.management")) {
            add(out, jdk, found, "jdk.management", "JMX", "the app uses java.management");
        }

        String random = ev.first("method:java/util/random/RandomGenerator.of(", "method:java/util/random/RandomGenerator.getDefault(",
                "class:java/util/random/RandomGeneratorFactory");
        if (random != null) {
            add(out, jdk, found, "jdk.random", "random generators", ev.jar(random) + " uses "
                    + (random.startsWith("class:") ? "RandomGeneratorFactory" : method(random)));
        }

        String dns = ev.first("scheme:dns:");
        if (dns != null && found.contains("java.naming")) {
            add(out, jdk, found, "jdk.naming.dns", "JNDI DNS", ev.jar(dns) + " has a dns: URL");
        }

        for (JarScan scan : List.of(app, deps)) {
            for (var f : scan.facts().entrySet()) {
                if (f.getKey().startsWith("string:")) {
                    String cls = f.getKey().substring(7);
                    jdk.moduleOf(cls).filter(BY_NAME::contains)
                            .ifPresent(m -> add(out, jdk, found, m, "by name", f.getValue() + " names " + cls));
                }
            }
        }
        return List.copyOf(out.values());
    }

    private static void add(Map<String, Added> out, JdkModules jdk, Set<String> found, String module, String rule,
                            String evidence) {
        if (jdk.has(module) && !found.contains(module)) {
            out.putIfAbsent(module, new Added(module, rule, evidence));
        }
    }

    /** @return {@code FileSystems.newFileSystem} for {@code method:java/nio/file/FileSystems.newFileSystem(...)} */
    private static String method(String fact) {
        String m = fact.substring("method:".length(), fact.indexOf('('));
        return m.substring(m.lastIndexOf('/') + 1);
    }

    /** Facts of the application jars, then of the dependencies. */
    private record Evidence(JarScan app, JarScan deps) {
        String first(String... prefixes) {
            for (String p : prefixes) {
                for (JarScan s : List.of(app, deps)) {
                    String f = s.first(p);
                    if (f != null) {
                        return f;
                    }
                }
            }
            return null;
        }

        String jar(String fact) {
            String j = app.jarOf(fact);
            return j != null ? j : deps.jarOf(fact);
        }
    }

    /** @return the modules of {@code added}, in order */
    public static List<String> modules(List<Added> added) {
        List<String> out = new ArrayList<>();
        added.forEach(a -> out.add(a.module()));
        return out;
    }
}
