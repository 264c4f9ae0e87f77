package dev.slipway.build;

import dev.slipway.config.SlipwayConfig;
import dev.slipway.util.Trees;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Platform step: lays out {@code runtime/ app/ bin/} in {@code dist/.work/<id>}: the runtime, the
 * build-info jar, the profiles' jar and class path, the app's jars, {@code build.files}; and the
 * class path, in order (profile jar, app jars, profile libraries; the build-info jar last; on JDK
 * 17-19 the dependency jars go first when that changes no class's jar, see
 * {@link DependenciesFirst}). Every
 * jar under {@code app/} is re-written with its entries stored ({@link StoredJars}), so that the
 * payload's compression sees the classes themselves.
 */
final class Layout extends PlatformStep {
    /** The generated jar with the version facts, last on the launcher's class path. */
    static final String BUILD_INFO_JAR = "app/build-info.jar";

    Layout() {
        super("layout");
    }

    @Override
    public void run(PlatformContext c) throws IOException {
        SlipwayConfig config = c.config();
        BuildInfo info = c.build.info;
        Path layout = c.build.work().resolve(c.id);
        c.layout = layout;
        Files.createDirectories(layout.resolve("app/lib"));
        Files.createDirectories(layout.resolve("bin"));
        linkTree(c.runtime.dir(), layout.resolve("runtime"));
        List<String> classpath = c.classpath;
        try (OutputStream os = Files.newOutputStream(layout.resolve(BUILD_INFO_JAR))) {
            info.writeJar(os);
        }
        List<SlipwayConfig.Profile> profiles = activeProfiles(config, c.build.options().profiles(), c.platform);
        if (writeProfileJar(config, profiles, info, layout.resolve("app/profile.jar"))) {
            classpath.add("app/profile.jar");
        }
        classpath.addAll(c.build.jars.placeInto(layout));
        BuildFiles.copy(config, layout);
        List<Path> libs = new ArrayList<>();
        profiles.forEach(p -> libs.addAll(p.classpath()));
        for (Path dep : libs) {
            Files.copy(dep, layout.resolve("app/lib").resolve(dep.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            if (!classpath.contains("app/lib/" + dep.getFileName())) {
                classpath.add("app/lib/" + dep.getFileName());
            }
        }
        // Before training: a CDS archive or AOT cache checks the jars' sizes, so it must see these bytes.
        StoredJars.storeAll(layout.resolve("app"),
                c.build.options().useCache() ? Builder.cacheDir().resolve(StoredJars.CACHE) : null);
        if (!profiles.isEmpty()) {
            c.console().progress("  " + c.platform + " profiles: "
                    + String.join(", ", profiles.stream().map(SlipwayConfig.Profile::name).toList()));
        }
        // Last, so that training reads a class path without it: it changes with every version and
        // build time, and a CDS archive or AOT cache accepts a run-time class path that extends the
        // one it was made with (see TrainStartup).
        // JDK 17-19: the dependency jars first, so that the archive made at build time covers them
        // alone and is kept while only the app's own classes change (DependenciesFirst).
        if (Training.dumpsOnFirstRun(c.target.feature())
                && Training.skipReason(config, c.target.feature(), c.forHost).isEmpty()) {
            c.archiveOrder = DependenciesFirst.order(layout, classpath);
            classpath.clear();
            classpath.addAll(c.archiveOrder.classpath());
        }
        c.trainingClasspath = List.copyOf(classpath);
        classpath.add(BUILD_INFO_JAR);
        // The time the shipped files get, which the archive or cache trained on these jars records.
        Trees.setTimes(layout.resolve("app"), BuildInfo.FILE_TIME);
    }

    /**
     * Puts the runtime into the layout as hard links to the runtime cache's files (link(2)), or as
     * copies where they cannot be linked (another file system): copying its 70-odd MB was a
     * second of every build. Nothing writes into the layout's {@code runtime/}: training and the
     * dumps write under {@code app/}, and {@link Pack} only unlinks the default CDS archive.
     * Symbolic links stay links; {@code .slipway*} files (the cache's own) are left out.
     *
     * @param from the runtime (a runtime cache entry, or a fresh link)
     * @param to   where it goes; created
     * @throws IOException on a read or write failure
     */
    static void linkTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new java.nio.file.SimpleFileVisitor<>() {
            private boolean link = true;

            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path d, java.nio.file.attribute.BasicFileAttributes a)
                    throws IOException {
                if (d.getFileName().toString().startsWith(".slipway") && !d.equals(from)) {
                    return java.nio.file.FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(from.relativize(d).toString()));
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes a)
                    throws IOException {
                Path dest = to.resolve(from.relativize(f).toString());
                if (a.isSymbolicLink()) {
                    Files.createSymbolicLink(dest, Files.readSymbolicLink(f));
                } else if (!f.getFileName().toString().startsWith(".slipway")) {
                    if (link) {
                        try {
                            Files.createLink(dest, f);
                            return java.nio.file.FileVisitResult.CONTINUE;
                        } catch (IOException | UnsupportedOperationException e) {
                            link = false; // another file system: copy the rest
                        }
                    }
                    Files.copy(f, dest, StandardCopyOption.COPY_ATTRIBUTES);
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * The profiles for one platform: those marked {@code always: true}, plus those named with
     * {@code --profile} (else those marked {@code default: true}); in file order, each only where its
     * platform patterns match.
     */
    static List<SlipwayConfig.Profile> activeProfiles(SlipwayConfig config, List<String> selected, Platform platform) {
        return config.profiles().values().stream()
                .filter(p -> p.always() || (selected.isEmpty() ? p.isDefault() : selected.contains(p.name())))
                .filter(p -> p.appliesTo(platform.toString()))
                .toList();
    }

    /**
     * Writes {@code app/profile.jar}: the profiles' {@code defaults} as {@code build.defaultsResource}
     * (later profiles win) and the files of their {@code resources} directories.
     *
     * @return whether there was anything to write
     */
    private static boolean writeProfileJar(SlipwayConfig config, List<SlipwayConfig.Profile> profiles, BuildInfo info,
                                           Path jar) throws IOException {
        Map<String, String> defaults = new TreeMap<>();
        Map<String, byte[]> entries = new TreeMap<>();
        for (SlipwayConfig.Profile p : profiles) {
            defaults.putAll(p.defaults());
            if (p.resources() != null) {
                try (var files = Files.walk(p.resources())) {
                    for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                        entries.put(p.resources().relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
                    }
                }
            }
        }
        if (!defaults.isEmpty()) {
            entries.put(config.build().defaultsResource(), ReproducibleJar.properties("Defaults of the build profiles "
                    + String.join(", ", profiles.stream().map(SlipwayConfig.Profile::name).toList()) + ".", defaults));
        }
        if (entries.isEmpty()) {
            return false;
        }
        try (OutputStream os = Files.newOutputStream(jar)) {
            ReproducibleJar.write(entries, info.time(), os);
        }
        return true;
    }
}
