package dev.slipway.cli;

import dev.slipway.SlipwayException;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.kubernetes.KubeRelease;
import dev.slipway.deploy.kubernetes.ManifestCheck;
import dev.slipway.deploy.kubernetes.Manifests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code slipway render KIND}: writes generated configuration. Today KIND is {@code kubernetes}:
 * the Deployment, Service, HPA and PodDisruptionBudget of the release, checked by
 * {@link ManifestCheck} before they are written.
 */
@Command(name = "render", description = "Write generated configuration: 'render kubernetes' writes the Deployment,"
        + " Service, HPA and PDB as YAML for kubectl apply -f.")
public final class RenderCommand implements Runnable {
    @Parameters(index = "0", paramLabel = "KIND", description = "What to render: kubernetes.")
    String kind;

    @Parameters(index = "1", arity = "0..1", defaultValue = ".", paramLabel = "SERVICE_DIR",
            description = "The service directory, holding slipway.yaml (default: current directory).")
    Path dir;

    @Option(names = "--image", paramLabel = "NAME@sha256:DIGEST",
            description = "The image (default: deploy.kubernetes.image, then dist/artifacts.json).")
    String image;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of stdout.")
    Path output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        if (!kind.equals("kubernetes")) {
            throw SlipwayException.usage("cannot render '" + kind + "'; available today: kubernetes");
        }
        SlipwayConfig config = dev.slipway.config.ConfigLoader.loadFromDir(dir.toAbsolutePath().normalize());
        config.warnings().forEach(w -> spec.commandLine().getErr().println(w));
        String yaml = Manifests.of(config, KubeRelease.resolve(config, image)).yaml();
        try {
            ManifestCheck.parse(yaml);
        } catch (IllegalArgumentException e) {
            throw SlipwayException.failed("the rendered manifests do not pass the check (a Slipway bug):\n"
                    + e.getMessage());
        }
        if (output == null) {
            spec.commandLine().getOut().print(yaml);
            spec.commandLine().getOut().flush();
            return;
        }
        try {
            if (output.toAbsolutePath().getParent() != null) {
                Files.createDirectories(output.toAbsolutePath().getParent());
            }
            Files.writeString(output, yaml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw SlipwayException.failed("cannot write " + output + ": " + e.getMessage(), e);
        }
        SlipwayCli.console(spec).progress("wrote " + output);
    }
}
