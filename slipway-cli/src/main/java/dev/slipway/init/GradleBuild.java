package dev.slipway.init;

import dev.slipway.SlipwayException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Slipway reads from one Gradle project's build script ({@code build.gradle} in the Groovy DSL
 * or {@code build.gradle.kts} in the Kotlin DSL) and its settings script, without running Gradle.
 * It recognises the forms Spring Initializr, Micronaut Launch, the Quarkus tools and
 * {@code gradle init} write: the {@code plugins {}} block (and {@code apply plugin:}), quoted
 * {@code group:artifact[:version]} dependency notations, {@code application { mainClass = ... }}
 * (also {@code mainClass.set(...)} and the old {@code mainClassName}), {@code springBoot { mainClass }},
 * the Java toolchain or {@code sourceCompatibility}, {@code version}, and in the settings
 * {@code rootProject.name} and {@code include}. Version catalogs ({@code libs.x.y}) are not resolved.
 *
 * @param file         the build script
 * @param plugins      plugin ids as written ({@code application}, {@code org.springframework.boot}, ...)
 * @param dependencies {@code group:artifact} of every quoted dependency notation outside the test and
 *                     {@code developmentOnly} configurations
 * @param mainClass    the main class of {@code application {}} or {@code springBoot {}}, or {@code null}
 * @param version      the project version, or {@code null}
 * @param jdk          the Java feature release of the toolchain or {@code sourceCompatibility}, or {@code null}
 * @param jdkSource    where {@code jdk} came from, or {@code null}
 */
public record GradleBuild(Path file, Set<String> plugins, List<String> dependencies, String mainClass,
                          String version, Integer jdk, String jdkSource) {

    /** The build script names Gradle looks for, Groovy DSL first. */
    public static final List<String> SCRIPTS = List.of("build.gradle", "build.gradle.kts");

    /** The settings script names. */
    public static final List<String> SETTINGS = List.of("settings.gradle", "settings.gradle.kts");

    private static final Pattern PLUGINS_BLOCK = Pattern.compile("(?m)^\\s*plugins\\s*\\{");
    private static final Pattern PLUGIN_ID = Pattern.compile("\\bid\\s*\\(?\\s*['\"]([\\w.-]+)['\"]");
    private static final Pattern PLUGIN_BARE = Pattern.compile("(?m)^\\s*(application|java|`java-library`|java-library)\\s*$");
    private static final Pattern APPLY = Pattern.compile("apply\\s*\\(?\\s*plugin\\s*[:=]\\s*['\"]([\\w.-]+)['\"]");
    private static final Pattern DEPENDENCY = Pattern.compile(
            "(?m)^\\s*([A-Za-z]+)\\s*\\(?\\s*(?:platform\\s*\\(|enforcedPlatform\\s*\\()?\\s*['\"]([\\w.-]+):([\\w.-]+)(?::[^'\"]*)?['\"]");
    private static final Pattern MAIN = Pattern.compile(
            "(?:mainClass(?:\\.set)?\\s*(?:=|\\()\\s*|mainClassName\\s*=\\s*)['\"]([\\w.$]+)['\"]");
    private static final Pattern VERSION = Pattern.compile("(?m)^\\s*version\\s*=\\s*['\"]([^'\"]+)['\"]");
    private static final Pattern TOOLCHAIN = Pattern.compile("JavaLanguageVersion\\.of\\(\\s*(\\d+)\\s*\\)|jvmToolchain\\(\\s*(\\d+)\\s*\\)");
    private static final Pattern COMPAT = Pattern.compile(
            "sourceCompatibility\\s*=\\s*(?:JavaVersion\\.VERSION_(?:1_)?(\\d+)"
                    + "|JavaVersion\\.toVersion\\(\\s*['\"]?(?:1\\.)?(\\d+)['\"]?\\s*\\)|['\"]?(?:1\\.)?(\\d+)['\"]?)");
    private static final Pattern ROOT_NAME = Pattern.compile("rootProject\\.name\\s*=\\s*['\"]([^'\"]+)['\"]");
    private static final Pattern INCLUDE = Pattern.compile("(?m)^\\s*include\\s*\\(?([^\\n)]*)\\)?");
    private static final Pattern QUOTED = Pattern.compile("['\"]([^'\"]+)['\"]");

    /** @return the build script in {@code dir}, or {@code null} */
    public static Path script(Path dir) {
        for (String n : SCRIPTS) {
            if (Files.isRegularFile(dir.resolve(n))) {
                return dir.resolve(n);
            }
        }
        return null;
    }

    /** @return the settings script in {@code dir}, or {@code null} */
    public static Path settings(Path dir) {
        for (String n : SETTINGS) {
            if (Files.isRegularFile(dir.resolve(n))) {
                return dir.resolve(n);
            }
        }
        return null;
    }

    /**
     * Reads a build script.
     *
     * @param file {@code build.gradle} or {@code build.gradle.kts}
     * @return what it declares
     * @throws SlipwayException (exit 2) when it cannot be read
     */
    public static GradleBuild read(Path file) {
        String text = stripComments(readText(file));
        Set<String> plugins = new LinkedHashSet<>();
        Matcher block = PLUGINS_BLOCK.matcher(text);
        if (block.find()) {
            String body = braceBody(text, block.end() - 1);
            Matcher id = PLUGIN_ID.matcher(body);
            while (id.find()) {
                plugins.add(id.group(1));
            }
            Matcher bare = PLUGIN_BARE.matcher(body);
            while (bare.find()) {
                plugins.add(bare.group(1).replace("`", ""));
            }
        }
        Matcher apply = APPLY.matcher(text);
        while (apply.find()) {
            plugins.add(apply.group(1));
        }
        List<String> deps = new ArrayList<>();
        Matcher d = DEPENDENCY.matcher(text);
        while (d.find()) {
            String configuration = d.group(1);
            if (!configuration.startsWith("test") && !List.of("classpath", "id", "developmentOnly").contains(configuration)) {
                deps.add(d.group(2) + ":" + d.group(3));
            }
        }
        Matcher m = MAIN.matcher(text);
        String main = m.find() ? m.group(1) : null;
        Matcher v = VERSION.matcher(text);
        Integer jdk = null;
        String jdkSource = null;
        Matcher t = TOOLCHAIN.matcher(text);
        Matcher c = COMPAT.matcher(text);
        if (t.find()) {
            jdk = Integer.valueOf(t.group(1) != null ? t.group(1) : t.group(2));
            jdkSource = "the Java toolchain in " + file.getFileName();
        } else if (c.find()) {
            jdk = Integer.valueOf(c.group(1) != null ? c.group(1) : c.group(2) != null ? c.group(2) : c.group(3));
            jdkSource = "sourceCompatibility in " + file.getFileName();
        }
        return new GradleBuild(file, Set.copyOf(plugins), List.copyOf(deps), main, v.find() ? v.group(1) : null, jdk,
                jdkSource);
    }

    /** @return whether a plugin with this id is applied */
    public boolean applies(String pluginId) {
        return plugins.contains(pluginId);
    }

    /** @return whether a dependency with this group id (or {@code group:artifact}) is declared */
    public boolean uses(String groupOrId) {
        return dependencies.stream().anyMatch(x -> x.equals(groupOrId) || x.startsWith(groupOrId + ":"));
    }

    /**
     * {@code rootProject.name} of a settings script.
     *
     * @param settings the settings script, or {@code null}
     * @return the name, or {@code null}
     */
    public static String rootProjectName(Path settings) {
        if (settings == null) {
            return null;
        }
        Matcher m = ROOT_NAME.matcher(stripComments(readText(settings)));
        return m.find() ? m.group(1) : null;
    }

    /**
     * The projects a settings script includes, as directories relative to its own:
     * {@code include 'app', ':services:api'} gives {@code app}, {@code services/api}.
     *
     * @param settings the settings script, or {@code null}
     * @return the included project directories, in file order
     */
    public static List<String> includes(Path settings) {
        List<String> out = new ArrayList<>();
        if (settings == null) {
            return out;
        }
        Matcher m = INCLUDE.matcher(stripComments(readText(settings)));
        while (m.find()) {
            Matcher q = QUOTED.matcher(m.group(1));
            while (q.find()) {
                String p = q.group(1).replaceFirst("^:", "").replace(':', '/');
                if (!p.isEmpty()) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    private static String readText(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw SlipwayException.usage("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Removes {@code //} and {@code /* *}{@code /} comments outside string literals. */
    static String stripComments(String s) {
        StringBuilder out = new StringBuilder(s.length());
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (quote != 0) {
                out.append(ch);
                if (ch == '\\' && i + 1 < s.length()) {
                    out.append(s.charAt(++i));
                } else if (ch == quote) {
                    quote = 0;
                }
            } else if (ch == '"' || ch == '\'') {
                quote = ch;
                out.append(ch);
            } else if (ch == '/' && i + 1 < s.length() && s.charAt(i + 1) == '/') {
                while (i < s.length() && s.charAt(i) != '\n') {
                    i++;
                }
                out.append('\n');
            } else if (ch == '/' && i + 1 < s.length() && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? s.length() : end + 1;
                out.append(' ');
            } else {
                out.append(ch);
            }
        }
        return out.toString();
    }

    /** @return the text between the brace at {@code open} and its matching close */
    private static String braceBody(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            if (s.charAt(i) == '{') {
                depth++;
            } else if (s.charAt(i) == '}' && --depth == 0) {
                return s.substring(open + 1, i);
            }
        }
        return s.substring(open + 1);
    }
}
