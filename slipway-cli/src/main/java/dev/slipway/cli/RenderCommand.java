package dev.slipway.cli;

import dev.slipway.render.Dockerfile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code slipway render KIND}: prints a generated file for tools Slipway does not replace. */
@Command(name = "render", description = "Print a generated file: 'dockerfile' (a multi-stage Dockerfile that builds"
        + " the same scratch image as 'slipway image', for users who build with Docker).")
public final class RenderCommand implements Runnable {
    @Parameters(index = "0", paramLabel = "KIND", description = "What to render: dockerfile.")
    String kind;

    @Parameters(index = "1", arity = "0..1", defaultValue = ".", paramLabel = "SERVICE_DIR",
            description = "The service directory, holding slipway.yaml (default: current directory).")
    java.nio.file.Path dir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        if (!kind.equals("dockerfile")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "unknown KIND '" + kind + "'; known: dockerfile");
        }
        var config = dev.slipway.config.ConfigLoader.loadFromDir(dir.toAbsolutePath().normalize());
        config.warnings().forEach(w -> spec.commandLine().getErr().println(w));
        var console = SlipwayCli.console(spec);
        console.out().print(Dockerfile.render(config));
        console.out().flush();
    }
}
