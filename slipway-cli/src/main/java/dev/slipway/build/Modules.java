package dev.slipway.build;

import dev.slipway.SlipwayException;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.pipeline.NamedStep;
import dev.slipway.util.Hashing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Build step: the JDK modules the app needs ({@link Jlink#modules}: jdeps once on the host, plus
 * the module rules), cached under {@code <cache>/jdeps/} by the linking JDK's version, the size
 * and 64-bit check ({@link KeptOutputs#check}) of every dependency (in order), for each application jar its name, the packages its classes name
 * place by place ({@link TypeUse}) and what the module rules read of it ({@link JarScan}) (its
 * sha256 when it has a module descriptor), and the settings the choice reads
 * ({@code build.modules}, {@code excludeModules}, {@code detectModules}, {@code jvmOptions}), so an
 * unchanged rebuild, and one where the app's classes changed but not the packages they use, skips
 * jdeps and the dependencies' scan (jdeps on myapp's 29 jars takes 5-30 s, a JVM start of its own). The key covers every input, so {@code --no-cache}
 * (which relinks and retrains) keeps using it. The cached file holds the modules on its first line
 * and the notes to print after it.
 */
final class Modules extends NamedStep<BuildContext> {
    Modules() {
        super("JDK modules");
    }

    @Override
    public void run(BuildContext c) {
        try {
            Jlink.ModuleSet set = modules(c.linker, c.jars, c.config());
            c.modules = set.modules();
            c.console().progress("  modules: " + String.join(",", c.modules));
            set.notes().forEach(n -> c.console().progress("  " + n));
        } catch (IOException e) {
            throw SlipwayException.failed("cannot list the modules the app needs: " + e.getMessage(), e);
        }
    }

    private static Jlink.ModuleSet modules(Jdk linker, BuildOutput jars, SlipwayConfig config) throws IOException {
        SlipwayConfig.Build build = config.build();
        StringBuilder recipe = new StringBuilder("modules-v4\n").append(linker.version()).append('\n')
                .append(build.modules()).append(build.excludeModules()).append(build.detectModules())
                .append(build.jvmOptions()).append('\n');
        for (Path jar : jars.appJars()) {
            recipe.append(appJarKey(jar)).append('\n');
        }
        // Each dependency by its size and 64-bit check (KeptOutputs.check), as the kept parts are:
        // the CRC instructions read them at memory speed where sha256 runs as C1 code.
        byte[] buffer = new byte[1 << 16];
        for (Path jar : jars.dependencies()) {
            recipe.append(KeptOutputs.check(jar, buffer)).append('\n');
        }
        Path cached = Builder.cacheDir().resolve("jdeps").resolve(
                Hashing.sha256Hex(recipe.toString()).substring(0, 32) + ".txt");
        if (Files.isRegularFile(cached)) {
            List<String> lines = Files.readAllLines(cached);
            if (!lines.isEmpty() && !lines.get(0).isBlank()) {
                return new Jlink.ModuleSet(List.of(lines.get(0).trim().split(",")), lines.subList(1, lines.size()));
            }
        }
        Jlink.ModuleSet set = Jlink.modules(linker, jars.appJars(), jars.dependencies(), build);
        Files.createDirectories(cached.getParent());
        Path tmp = Files.createTempFile(cached.getParent(), ".jdeps", ".tmp");
        List<String> lines = new ArrayList<>();
        lines.add(String.join(",", set.modules()));
        lines.addAll(set.notes());
        Files.write(tmp, lines);
        Files.move(tmp, cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return set;
    }

    /**
     * What of an application jar the module choice reads: its name (notes name it), the packages
     * its classes name ({@link TypeUse}, what jdeps reads) and the facts of {@link JarScan} (what
     * the module rules read); its sha256 when {@link TypeUse} cannot tell.
     */
    private static String appJarKey(Path jar) throws IOException {
        var types = TypeUse.digest(jar);
        if (types.isEmpty()) {
            return "sha256 " + Hashing.sha256(jar);
        }
        JarScan scan = JarScan.of(List.of(jar));
        return "types " + jar.getFileName() + " " + types.get() + " " + new java.util.TreeMap<>(scan.facts())
                + " " + scan.unreadable() + " " + scan.unreadableJars();
    }
}
