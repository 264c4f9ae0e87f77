package dev.slipway.cli;

import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Parameters;

/** The service directory argument shared by commands; defaults to the current directory. */
public final class ServiceArg {
    @Parameters(index = "0", arity = "0..1", defaultValue = ".", paramLabel = "SERVICE_DIR",
            description = "The service directory, holding slipway.yaml (default: current directory).")
    Path dir;

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec mixee;

    /**
     * Loads the configuration and prints its warnings (deprecated keys) to the command's stderr.
     *
     * @return the loaded configuration; throws a {@code ConfigException} (exit 2) when invalid
     */
    SlipwayConfig load() {
        dev.slipway.Trace.mark("command line parsed");
        SlipwayConfig config = ConfigLoader.loadFromDir(dir.toAbsolutePath().normalize());
        dev.slipway.Trace.mark("config loaded");
        if (mixee != null) {
            config.warnings().forEach(w -> mixee.commandLine().getErr().println(w));
            mixee.commandLine().getErr().flush();
        }
        return config;
    }
}
