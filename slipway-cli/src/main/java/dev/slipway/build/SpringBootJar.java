package dev.slipway.build;

import dev.slipway.SlipwayException;
import dev.slipway.util.Trees;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;

/**
 * A Spring Boot executable jar ("fat jar", made by the Maven plugin's {@code repackage} or the
 * Gradle plugin's {@code bootJar}), exploded into what its own loader would put on the class path:
 * an application jar of {@code BOOT-INF/classes} and the jars of {@code BOOT-INF/lib} in
 * {@code BOOT-INF/classpath.idx} order. The same split as Spring Boot's
 * {@code java -Djarmode=tools -jar app.jar extract}, without the launcher.
 *
 * <p>Recognised by its manifest (Spring Boot reference, "The Executable Jar Format"):
 * {@code Main-Class} in {@code org.springframework.boot.loader} (Spring Boot 3.2+ and 4:
 * {@code org.springframework.boot.loader.launch.JarLauncher}; before 3.2:
 * {@code org.springframework.boot.loader.JarLauncher}; or {@code PropertiesLauncher}) and a
 * {@code Start-Class}. {@code Spring-Boot-Classes}, {@code Spring-Boot-Lib} and
 * {@code Spring-Boot-Classpath-Index} name the directories and the index (defaults
 * {@code BOOT-INF/classes/}, {@code BOOT-INF/lib/}, {@code BOOT-INF/classpath.idx}).
 *
 * <p>An executable war (packaging {@code war}, {@code WarLauncher}, "The Executable War Format")
 * is read the same way: its manifest names {@code WEB-INF/classes/}, {@code WEB-INF/lib/} and
 * {@code WEB-INF/classpath.idx}, and its launcher also puts {@code WEB-INF/lib-provided/} (the
 * {@code provided} scope: the embedded server) on the class path, so those jars are libraries too.
 * The war's web content (entries outside {@code WEB-INF/} and {@code META-INF/}) is not on the class
 * path and is left out, with a note.
 */
public final class SpringBootJar {
    /** The time of every entry of the exploded application jar, so equal classes give equal bytes. */
    static final Instant ENTRY_TIME = Instant.parse("1980-02-01T00:00:00Z");

    /** Manifest attributes that describe the fat jar's own layout and do not apply once exploded. */
    private static final List<String> LAYOUT_ATTRIBUTES = List.of("Main-Class", "Start-Class", "Spring-Boot-Classes",
            "Spring-Boot-Lib", "Spring-Boot-Classpath-Index", "Spring-Boot-Layers-Index", "Class-Path");

    /** The directory of an executable war's {@code provided} jars, on its launcher's class path too. */
    private static final String WAR_PROVIDED = "WEB-INF/lib-provided/";

    /** The package of Spring Boot's launcher classes, at the root of an executable jar or war. */
    private static final String LOADER = "org/springframework/boot/loader/";

    /** A line of classpath.idx: {@code - "BOOT-INF/lib/name.jar"}. */
    private static final Pattern INDEX_LINE = Pattern.compile("-\\s+\"([^\"]+)\"\\s*");

    private SpringBootJar() {}

    /**
     * @param jar a jar file
     * @return whether it is a Spring Boot executable jar
     * @throws SlipwayException (exit 2) when it cannot be read as a jar
     */
    public static boolean is(Path jar) {
        Attributes a = BuildOutputs.manifest(jar);
        String main = a == null ? null : a.getValue(Attributes.Name.MAIN_CLASS);
        return main != null && main.startsWith("org.springframework.boot.loader.") && a.getValue("Start-Class") != null;
    }

    /**
     * Explodes a Spring Boot executable jar into {@code into} (emptied first): the application jar
     * under the fat jar's own name, written reproducibly (entries sorted, fixed times) from
     * {@code BOOT-INF/classes/} and the fat jar's {@code META-INF/} (its Maven metadata; not its
     * manifest, and not {@code META-INF/services/}, which belongs to the launcher); and the library
     * jars under {@code lib/}.
     *
     * <p>The application jar's manifest is the fat jar's without the layout attributes, with
     * {@code Main-Class} set to {@code Start-Class} (as Spring Boot's extract does), so
     * {@code Implementation-Version} and the like still reach the app.
     *
     * @param fatJar the Spring Boot jar
     * @param into   a directory to write to (made if missing)
     * @param notes  receives a line naming development-only jars left out
     * @return the exploded output
     * @throws SlipwayException (exit 2) when the jar is not a Spring Boot jar or an entry the index
     *                          names is missing; (exit 1) on an I/O error
     */
    public static BuildOutput explode(Path fatJar, Path into, List<String> notes) {
        try (JarFile jar = new JarFile(fatJar.toFile())) {
            Manifest mf = jar.getManifest();
            Attributes main = mf == null ? null : mf.getMainAttributes();
            String start = main == null ? null : main.getValue("Start-Class");
            if (start == null) {
                throw SlipwayException.usage(fatJar + " is not a Spring Boot executable jar: its manifest has no Start-Class");
            }
            String classes = dir(main.getValue("Spring-Boot-Classes"), "BOOT-INF/classes/");
            String lib = dir(main.getValue("Spring-Boot-Lib"), "BOOT-INF/lib/");
            String index = main.getValue("Spring-Boot-Classpath-Index");
            index = index == null ? classes.substring(0, classes.indexOf('/') + 1) + "classpath.idx" : index;

            Trees.deleteTree(into);
            Files.createDirectories(into.resolve("lib"));
            Map<String, byte[]> entries = new TreeMap<>();
            List<String> libraries = new ArrayList<>();
            List<String> libDirs = classes.startsWith("WEB-INF/") ? List.of(lib, WAR_PROVIDED) : List.of(lib);
            List<String> webContent = new ArrayList<>();
            for (ZipEntry e : java.util.Collections.list(jar.entries())) {
                String name = e.getName();
                if (e.isDirectory()) {
                    continue;
                }
                if (name.startsWith(classes)) {
                    entries.put(name.substring(classes.length()), read(jar, e));
                } else if (name.startsWith("META-INF/") && !name.equals(JarFile.MANIFEST_NAME)
                        && !name.startsWith("META-INF/services/")) {
                    entries.putIfAbsent(name, read(jar, e));
                } else if (name.endsWith(".jar") && libDirs.stream().anyMatch(d -> name.startsWith(d)
                        && name.indexOf('/', d.length()) < 0)) {
                    libraries.add(name);
                } else if (classes.startsWith("WEB-INF/") && !name.startsWith("WEB-INF/")
                        && !name.startsWith("META-INF/") && !name.startsWith(LOADER)) {
                    webContent.add(name);
                }
            }
            List<String> order = classpathOrder(jar, index, libraries, fatJar);
            Map<String, Path> extracted = new LinkedHashMap<>();
            for (String name : order) {
                String file = name.substring(name.lastIndexOf('/') + 1);
                if (Dependencies.isDevelopmentOnly(file)) {
                    extracted.put(name, null);
                    continue;
                }
                Path out = into.resolve("lib").resolve(file);
                try (InputStream in = jar.getInputStream(jar.getEntry(name))) {
                    Files.copy(in, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
                extracted.put(name, out);
            }
            List<String> dropped = new ArrayList<>();
            extracted.forEach((name, path) -> {
                if (path == null) {
                    dropped.add(name.substring(name.lastIndexOf('/') + 1));
                }
            });
            if (!dropped.isEmpty()) {
                notes.add("left out development-only jars: " + String.join(", ", dropped));
            }
            if (!webContent.isEmpty()) {
                notes.add("left out the war's web content (" + webContent.size() + " files, e.g. " + webContent.get(0)
                        + "): only the class path is shipped; serve static files from src/main/resources/static");
            }

            Manifest appManifest = new Manifest();
            Attributes attrs = appManifest.getMainAttributes();
            attrs.put(Attributes.Name.MANIFEST_VERSION, "1.0");
            for (var a : main.entrySet()) {
                if (!LAYOUT_ATTRIBUTES.contains(a.getKey().toString())) {
                    attrs.put(a.getKey(), a.getValue());
                }
            }
            attrs.put(Attributes.Name.MAIN_CLASS, start);
            String jarName = fatJar.getFileName().toString().replaceFirst("\\.war$", ".jar");
            Path appJar = into.resolve(jarName);
            try (OutputStream os = Files.newOutputStream(appJar)) {
                ReproducibleJar.write(entries, appManifest, ENTRY_TIME, os);
            }
            List<Path> deps = extracted.values().stream().filter(java.util.Objects::nonNull).toList();
            return new BuildOutput(BuildOutput.Layout.SPRING_BOOT, fatJar, List.of(appJar), deps, start, null, null,
                    BuildOutputs.manifestJvmOptions(main), List.copyOf(notes));
        } catch (IOException e) {
            throw SlipwayException.failed("cannot explode the Spring Boot jar " + fatJar + ": " + e.getMessage(), e);
        }
    }

    /**
     * The library entries in class path order: those {@code classpath.idx} lists, in its order,
     * then any others in the jar's entry order (Spring Boot's loader does the same when the index
     * is missing: it adds the libraries in entry order).
     */
    private static List<String> classpathOrder(JarFile jar, String index, List<String> libraries, Path fatJar)
            throws IOException {
        ZipEntry idx = jar.getEntry(index);
        if (idx == null) {
            return libraries;
        }
        List<String> order = new ArrayList<>();
        for (String line : new String(read(jar, idx), StandardCharsets.UTF_8).split("\n")) {
            Matcher m = INDEX_LINE.matcher(line.strip());
            if (m.matches()) {
                if (!libraries.contains(m.group(1))) {
                    throw SlipwayException.usage(fatJar + ": " + index + " lists " + m.group(1)
                            + ", which the jar does not hold; rebuild it");
                }
                order.add(m.group(1));
            }
        }
        libraries.stream().filter(l -> !order.contains(l)).forEach(order::add);
        return order;
    }

    private static String dir(String value, String fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        return value.endsWith("/") ? value : value + "/";
    }

    private static byte[] read(JarFile jar, ZipEntry e) throws IOException {
        try (InputStream in = jar.getInputStream(e)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }
}
