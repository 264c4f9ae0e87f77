package dev.slipway.build;

import dev.slipway.SlipwayException;
import dev.slipway.config.ServicePaths;
import dev.slipway.config.SlipwayConfig;
import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code build.files}: extra files copied into the layout root under their path relative to the
 * service directory ({@code config.yml} becomes {@code <layout>/config.yml}, which the service
 * reaches as {@code ${APP_HOME}/config.yml}). The layout is what the single file, the
 * {@code .tar.gz} and the image are made of, so they all carry the files.
 */
public final class BuildFiles {
    private BuildFiles() {}

    /**
     * Copies {@code build.files} into a layout. A directory is copied with everything in it; a
     * symbolic link is copied as the file or directory it leads to, which must lie inside the service directory.
     *
     * @param config the service configuration
     * @param layout the layout root
     * @throws SlipwayException (exit 2) when a file is missing or leads out of the service directory
     * @throws IOException      when a copy fails
     */
    public static void copy(SlipwayConfig config, Path layout) throws IOException {
        Path dir = config.serviceDir();
        for (String file : config.build().files()) {
            Path from = ServicePaths.resolve(dir, "build.files entry", file);
            if (!Files.exists(from)) {
                throw SlipwayException.usage("build.files: " + file + " does not exist in " + dir);
            }
            Path to = layout.resolve(dir.relativize(from).toString());
            if (Files.isDirectory(from)) {
                List<Path> all;
                try (Stream<Path> s = Files.walk(from, FileVisitOption.FOLLOW_LINKS)) {
                    all = s.sorted().toList();
                }
                for (Path p : all) {
                    Path rel = dir.relativize(p);
                    ServicePaths.resolve(dir, "build.files entry", rel.toString());
                    Path dest = layout.resolve(rel.toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(dest);
                    } else {
                        Files.createDirectories(dest.getParent());
                        Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            } else {
                Files.createDirectories(to.getParent());
                Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }
}
