package dev.slipway.maven;

import dev.slipway.Console;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.image.ImageBuilder;
import java.io.File;
import java.util.List;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;

/**
 * {@code mvn package slipway:build slipway:image}: what {@code slipway image} does, through the same
 * {@link ImageBuilder#fromDist} call: a scratch OCI image per linux platform of the last build in
 * the output directory ({@code target/slipway/dist/} unless configured), written as an oci-archive (or an OCI layout) and recorded in
 * its {@code artifacts.json}; with {@code -Dslipway.push=REF} also pushed. Registry credentials
 * come from {@code SLIPWAY_REGISTRY_USERNAME}/{@code SLIPWAY_REGISTRY_PASSWORD} or docker's
 * {@code config.json}, as for the CLI.
 */
@Mojo(name = "image", defaultPhase = LifecyclePhase.PACKAGE, requiresDependencyResolution = ResolutionScope.RUNTIME,
        threadSafe = true)
public final class ImageMojo extends SlipwayMojo {
    /** {@code oci-archive} (one tar) or {@code oci} (a layout directory). */
    @Parameter(property = "slipway.image.format", defaultValue = ImageBuilder.OCI_ARCHIVE)
    String format;

    /** Where to write the image; default {@code NAME_VERSION_image.tar} in the output directory (or the layout directory). */
    @Parameter(property = "slipway.image.output")
    File output;

    /**
     * Push to this reference ({@code REGISTRY/REPOSITORY[:TAG]}); {@code -Dslipway.push} without a value
     * (Maven makes it {@code true}) pushes to {@code image.repository}. Unset: no push.
     */
    @Parameter(property = "slipway.push")
    String push;

    /** Only these platforms ({@code linux-amd64,linux-arm64}); default every linux platform of the build. */
    @Parameter(property = "slipway.platforms")
    List<String> platforms;

    @Override
    protected void run(SlipwayConfig config, Console console) {
        ImageBuilder.fromDist(config, new ImageBuilder.Options(output == null ? null : output.toPath(), format,
                "true".equals(push) ? "" : push,
                platforms == null ? List.of() : List.copyOf(platforms), null), console, System::getenv);
    }
}
