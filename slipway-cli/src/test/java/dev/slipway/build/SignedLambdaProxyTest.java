package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JDK 17's static AppCDS dump crashed on the lambda proxies of classes from a signed jar (JGit's,
 * in Slipway's own single file), so the class list loses exactly those lines; and it leaves out of
 * the archive every pre-Java 6 class a replayed lambda proxy linked (picocli's), so the lines that
 * name one go too.
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

    @Test
    void lambdaProxiesNamingPreJava6ClassesAreDroppedAndNothingElse(@TempDir Path layout) throws Exception {
        // picocli 4 is compiled for Java 5 (major version 49); a shadowed copy later on the class
        // path does not count, nor does a class no line names.
        classJar(layout.resolve("app/lib/old.jar"), Map.of("org/old/Cli.class", 49, "org/old/Cli$Handler.class", 49,
                "org/old/Unnamed.class", 49, "org/new/Api.class", 52));
        classJar(layout.resolve("app/lib/later.jar"), Map.of("org/new/Api.class", 49, "org/old/Cli.class", 61));
        Path list = layout.resolve("app/app.classlist");
        List<String> lines = List.of("org/old/Cli id: 1", "app/Main id: 2",
                "@lambda-proxy app/Main handle ()Lorg/old/Cli$Handler; (Ljava/lang/Exception;)I REF_invokeStatic app/Main"
                        + " lambda$run$1 (Ljava/lang/Exception;)I (Ljava/lang/Exception;)I",
                "@lambda-proxy app/Main accept (Lorg/old/Cli;)Ljava/util/function/Consumer; (Ljava/lang/Object;)V"
                        + " REF_invokeStatic app/Main lambda$cli$3 (Lorg/old/Cli;Ljava/lang/String;)V (Ljava/lang/String;)V",
                "@lambda-proxy app/Main get (Lorg/new/Api;)Ljava/util/function/Supplier; ()Ljava/lang/Object;"
                        + " REF_invokeStatic app/Main lambda$api$4 (Lorg/new/Api;)Ljava/lang/Object; ()Ljava/lang/Object;",
                "@lambda-proxy app/Main run ()Ljava/lang/Runnable; ()V REF_invokeStatic app/Main lambda$Load$0 ()V ()V");
        Files.write(list, lines);
        Set<String> old = Training.oldClasses(list, layout,
                List.of("app/missing.jar", "app/lib/old.jar", "app/lib/later.jar"));
        assertEquals(Set.of("org/old/Cli", "org/old/Cli$Handler"), old);
        Training.withoutLambdaProxies(list, Set.of(), old);
        assertEquals(List.of(lines.get(0), lines.get(1), lines.get(4), lines.get(5)), Files.readAllLines(list));
    }

    /** A jar of class files that hold only their header: magic, minor 0, the given major version. */
    private static void classJar(Path file, Map<String, Integer> majors) throws Exception {
        Files.createDirectories(file.getParent());
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(file))) {
            for (Map.Entry<String, Integer> e : majors.entrySet()) {
                out.putNextEntry(new ZipEntry(e.getKey()));
                out.write(new byte[] {(byte) 0xca, (byte) 0xfe, (byte) 0xba, (byte) 0xbe, 0, 0, 0, (byte) (int) e.getValue()});
            }
        }
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
