package dev.slipway.build;

import dev.slipway.SlipwayException;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.pipeline.NamedStep;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Build step: the linking JDK (with jlink), the platforms to build (all configured, or the
 * {@code --platform} subset), the profiles named exist, and each platform's target JDK (its
 * {@code jmods/}). Every refusal is exit 2 before anything is written.
 */
final class Toolchain extends NamedStep<BuildContext> {
    Toolchain() {
        super("JDKs and platforms");
    }

    @Override
    public void run(BuildContext c) {
        SlipwayConfig config = c.config();
        c.linker = Jdk.locate(config.build().jdk());
        Platform host = Platform.host();
        c.platforms = selectPlatforms(config, c.options());
        for (String name : c.options().profiles()) {
            if (!config.profiles().containsKey(name)) {
                throw SlipwayException.usage("unknown profile '" + name + "'; profiles in " + config.file().getFileName()
                        + ": " + (config.profiles().isEmpty() ? "none" : String.join(", ", config.profiles().keySet())));
            }
        }
        for (Platform p : c.platforms) {
            p.dynamicLoader();
            c.targetJdks.put(p, targetJdk(config, p, host, c.linker));
        }
    }

    private static List<Platform> selectPlatforms(SlipwayConfig config, Builder.Options options) {
        List<Platform> configured = config.platforms().stream().map(Platform::parse).toList();
        if (options.platforms().isEmpty()) {
            return configured;
        }
        List<Platform> chosen = new ArrayList<>();
        for (String name : options.platforms()) {
            Platform p = Platform.parse(name);
            if (!configured.contains(p)) {
                throw SlipwayException.usage("platform " + p + " is not in 'platforms' of " + config.file().getFileName()
                        + " (configured: " + String.join(", ", config.platforms()) + ")");
            }
            chosen.add(p);
        }
        return chosen;
    }

    private static Jdk targetJdk(SlipwayConfig config, Platform p, Platform host, Jdk linker) {
        Path configured = config.build().targetJdks().get(p.toString());
        if (configured != null) {
            return Jdk.target(configured, p, linker);
        }
        if (p.equals(host)) {
            return linker;
        }
        throw SlipwayException.usage("no JDK for " + p + ": set build.targetJdks." + p + " in "
                + config.file().getFileName() + " to a " + p + " JDK " + linker.feature() + " with jmods/"
                + " (Debian: apt-get download openjdk-" + linker.feature() + "-jdk-headless:" + p.arch()
                + ", then dpkg-deb -x). Slipway never links the host's JDK for another platform");
    }
}
