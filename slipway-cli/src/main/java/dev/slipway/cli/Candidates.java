package dev.slipway.cli;

import dev.slipway.deploy.Targets;
import dev.slipway.image.ImageBuilder;
import java.util.Iterator;
import java.util.List;

/**
 * The values shell completion offers for options that take one of a fixed set of words: picocli's
 * {@code completionCandidates} (its completion script lists an option's candidates after the
 * option, https://picocli.info/autocomplete.html), and the same lists the commands accept.
 */
final class Candidates {
    private Candidates() {}

    /** {@code --to}: every deploy target ({@link Targets#NAMES}). */
    static final class Target implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Targets.NAMES.iterator();
        }
    }

    /** {@code canary|promote|abort --to}: the targets a canary runs on. */
    static final class CanaryTarget implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return dev.slipway.canary.CanaryTargets.NAMES.iterator();
        }
    }

    /** {@code render ci --deploy-target}: the targets the rendered workflow deploys to. */
    static final class CiTarget implements Iterable<String> {
        /** The targets a CI runner reaches with a secret: SSH hosts or a cluster's kubeconfig. */
        static final List<String> NAMES = List.of("hosts", "kubernetes");

        @Override
        public Iterator<String> iterator() {
            return NAMES.iterator();
        }
    }

    /** {@code image --format}: an OCI archive (one tar) or an OCI image layout directory. */
    static final class ImageFormat implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of(ImageBuilder.OCI_ARCHIVE, ImageBuilder.OCI).iterator();
        }
    }
}
