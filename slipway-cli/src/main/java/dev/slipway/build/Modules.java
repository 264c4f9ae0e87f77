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
 * the module rules), cached under {@code <cache>/jdeps/} by the linking JDK's version, the sha256
 * of the application jar and of every dependency (in order), and the settings the choice reads
 * ({@code build.modules}, {@code excludeModules}, {@code detectModules}, {@code jvmOptions}), so an
 * unchanged rebuild skips jdeps and the jar scan. The key covers every input, so {@code --no-cache}
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
        StringBuilder recipe = new StringBuilder("modules-v2\n").append(linker.version()).append('\n')
                .append(build.modules()).append(build.excludeModules()).append(build.detectModules())
                .append(build.jvmOptions()).append('\n');
        for (Path jar : jars.all()) {
            recipe.append(Hashing.sha256(jar)).append('\n');
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
}
