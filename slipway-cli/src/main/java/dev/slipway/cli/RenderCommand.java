package dev.slipway.cli;

import dev.slipway.SlipwayException;
import dev.slipway.deploy.hosts.HostUnit;
import dev.slipway.deploy.hosts.NginxConf;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code slipway render systemd|nginx [DIR]}: prints a generated configuration file of the hosts target. */
@Command(name = "render", description = "Print a generated file of the hosts target: systemd (the unit) or nginx (upstream and server blocks).")
public final class RenderCommand implements Runnable {
    @Parameters(index = "0", paramLabel = "KIND", description = "systemd or nginx")
    String kind;

    @Parameters(index = "1", arity = "0..1", defaultValue = ".", paramLabel = "SERVICE_DIR",
            description = "The service directory, holding slipway.yaml (default: current directory).")
    java.nio.file.Path dir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        var config = dev.slipway.config.ConfigLoader.loadFromDir(dir.toAbsolutePath().normalize());
        if (config.hosts() == null) {
            throw SlipwayException.usage(config.file() + ": no 'deploy.hosts' section; render needs the hosts target's settings");
        }
        var out = spec.commandLine().getOut();
        switch (kind) {
            case "systemd" -> out.print(HostUnit.render(config));
            case "nginx" -> out.print(NginxConf.render(config));
            default -> throw SlipwayException.usage("unknown kind '" + kind + "'; available: systemd, nginx");
        }
        out.flush();
    }
}
