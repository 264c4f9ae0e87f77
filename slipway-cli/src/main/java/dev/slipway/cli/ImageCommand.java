package dev.slipway.cli;

import dev.slipway.image.DockerLoad;
import dev.slipway.image.ImageBuilder;
import dev.slipway.image.RegistryPush;
import dev.slipway.remote.DockerEngine;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code slipway image}: an OCI image from scratch of the last build, as a layout or archive, optionally pushed. */
@Command(name = "image", footerHeading = "%nExample:%n",
        footer = {"  slipway build examples/myapp && slipway image examples/myapp --push 127.0.0.1:5000/myapp",
            "  slipway image examples/myapp --docker && docker run --network host myapp:1.0.0"},
        description = {
    "Build a minimal multi-platform OCI image from scratch (glibc libraries, CA certificates, zoneinfo, the runtime"
        + " and the jars) from the last 'slipway build', with no container engine.",
    "Writes an oci-archive (default dist/NAME_VERSION_image.tar) or an OCI layout directory; --push sends it to a"
        + " registry (credentials: SLIPWAY_REGISTRY_USERNAME/PASSWORD or docker config.json)."})
public final class ImageCommand implements Runnable {
    @Mixin
    ServiceArg service;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = ImageBuilder.OCI_ARCHIVE,
            completionCandidates = Candidates.ImageFormat.class,
            description = "oci-archive (a tar, default) or oci (a layout directory).")
    String format;

    @Option(names = {"-o", "--output"}, paramLabel = "PATH",
            description = "Where to write it (default: dist/NAME_VERSION_image.tar, or dist/NAME_VERSION_image/ for oci).")
    Path output;

    @Option(names = "--push", paramLabel = "REF", arity = "0..1", fallbackValue = "",
            description = "Also push to REGISTRY/REPOSITORY[:TAG] (without a value: image.repository in slipway.yaml)."
                    + " Without a tag, the tags of image.tags are set.")
    String push;

    @Option(names = "--docker",
            description = "Also load the image into the local Docker engine (DOCKER_HOST, default /var/run/docker.sock),"
                    + " without a registry: the engine's platform, tagged REPOSITORY:TAG for each tag (REPOSITORY:"
                    + " image.repository, else the service name).")
    boolean docker;

    @Option(names = "--platform", paramLabel = "OS-ARCH",
            description = "Only this built linux platform (repeatable); default: every linux platform built.")
    java.util.List<String> platforms = new java.util.ArrayList<>();

    @Option(names = "--rootfs", paramLabel = "DIR", hidden = true,
            description = "Also write this machine's platform's root file system into DIR (for the rendered Dockerfile).")
    Path rootfs;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * {@code slipway image --push .} (the directory last): picocli gives an option's optional value the next argument,
     * so the directory every other command takes last became the image reference ("'.' is not an
     * image reference"). When no SERVICE_DIR was given and the value is a directory holding a
     * {@code slipway.yaml} (never a registry reference), it is the service directory, and the push
     * goes to {@code image.repository}, as {@code --push} with no value does.
     */
    private void serviceDirTakenByPush() {
        if (push == null || push.isEmpty() || spec.commandLine().getParseResult().hasMatchedPositional(0)) {
            return;
        }
        try {
            Path dir = Path.of(push);
            if (java.nio.file.Files.isRegularFile(dir.resolve(dev.slipway.config.ConfigLoader.FILE_NAME))) {
                service.dir = dir;
                push = "";
            }
        } catch (java.nio.file.InvalidPathException notAPath) {
            // not a directory: the value stays the reference, and RegistryPush says what is wrong
        }
    }

    @Override
    public void run() {
        if (!format.equals(ImageBuilder.OCI) && !format.equals(ImageBuilder.OCI_ARCHIVE)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--format must be oci or oci-archive, not '" + format + "'");
        }
        serviceDirTakenByPush();
        var config = service.load();
        var console = SlipwayCli.console(spec);
        var result = ImageBuilder.fromDist(config, new ImageBuilder.Options(output, format, push,
                java.util.List.copyOf(platforms), rootfs), console, System::getenv);
        if (docker) {
            RegistryPush.Ref ref = config.image().repository() == null ? null : RegistryPush.Ref.parse(config.image().repository());
            String repository = ref == null ? config.name() : ref.registry() + "/" + ref.repository();
            DockerLoad.load(result.output(), repository, result.tags(), DockerEngine.fromEnv(System::getenv), console);
        }
    }
}
