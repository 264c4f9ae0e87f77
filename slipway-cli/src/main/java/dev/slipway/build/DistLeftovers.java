package dev.slipway.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a build killed with SIGKILL (or a crash of the machine) leaves in {@code dist/}: the
 * temporary files of its atomic writes. The next build removes them before it starts, as it
 * removes {@code dist/.work}.
 */
final class DistLeftovers {
    private DistLeftovers() {}

    /**
     * Removes, in {@code dist} and its directories one level down, the single file's payload
     * being written ({@code .payloadNNN.zst}, or {@code .gz} from an older Slipway, {@link Launcher}), the runtime member being written
     * ({@code .runtimeNNN.gz}, {@link Archive}) and files of atomic writes ({@code NAME.tmp}).
     *
     * @param dist the service's {@code dist/}; nothing happens when it does not exist
     * @return the files removed
     * @throws IOException when one cannot be removed
     */
    static List<Path> remove(Path dist) throws IOException {
        if (!Files.isDirectory(dist)) {
            return List.of();
        }
        List<Path> gone;
        try (Stream<Path> s = Files.walk(dist, 2)) {
            gone = s.filter(Files::isRegularFile).filter(p -> isLeftover(p.getFileName().toString())).toList();
        }
        for (Path p : gone) {
            Files.deleteIfExists(p);
        }
        return gone;
    }

    static boolean isLeftover(String name) {
        return name.startsWith(".payload") && (name.endsWith(".zst") || name.endsWith(".gz")) || name.startsWith(".runtime") && name.endsWith(".gz")
                || name.endsWith(".tmp");
    }
}
