package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JDK 17's static AppCDS dump crashed on the lambda proxies of classes from a signed jar (JGit's,
 * in Slipway's own single file), so the class list loses exactly those lines.
 */
class SignedLambdaProxyTest {
    @Test
    void lambdaProxiesOfSignedJarsAreDroppedAndNothingElse(@TempDir Path layout) throws Exception {
        jar(layout.resolve("app/lib/signed.jar"), "META-INF/MANIFEST.MF", "META-INF/SIGNER.SF", "META-INF/SIGNER.RSA",
                "org/signed/Walk.class", "org/signed/Walk$Inner.class");
        jar(layout.resolve("app/lib/plain.jar"), "META-INF/MANIFEST.MF", "org/plain/Main.class");
        Set<String> signed = Training.signedClasses(layout, List.of("app/lib/signed.jar", "app/lib/plain.jar", "app/missing.jar"));
        assertEquals(Set.of("org/signed/Walk", "org/signed/Walk$Inner"), signed);

        Path list = layout.resolve("app/app.classlist");
        List<String> lines = List.of("# NOTE: Do not modify this file.", "org/signed/Walk id: 1", "org/plain/Main id: 2",
                "@lambda-proxy org/signed/Walk run ()Ljava/lang/Runnable; ()V REF_invokeStatic org/signed/Walk lambda$0 ()V ()V",
                "@lambda-proxy org/plain/Main run ()Ljava/lang/Runnable; ()V REF_invokeStatic org/plain/Main lambda$0 ()V ()V",
                "@lambda-proxy org/signed/Walk$Inner get ()Ljava/util/function/Supplier;",
                "@lambda-form-invoker [LF_RESOLVE] java.lang.invoke.DirectMethodHandle$Holder invokeStatic L_L");
        Files.write(list, lines);
        Training.withoutSignedLambdaProxies(list, signed);
        assertEquals(List.of(lines.get(0), lines.get(1), lines.get(2), lines.get(4), lines.get(6)), Files.readAllLines(list));
        // Without signed jars the file is left as it is.
        Files.write(list, lines);
        Training.withoutSignedLambdaProxies(list, Set.of());
        assertEquals(lines, Files.readAllLines(list));
    }

    private static void jar(Path file, String... entries) throws Exception {
        Files.createDirectories(file.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(file))) {
            for (String e : entries) {
                out.putNextEntry(new ZipEntry(e));
                out.write(1);
            }
        }
    }
}
