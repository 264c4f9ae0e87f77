package dev.slipway.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The dynamic-linking facts of one ELF file: its program interpreter ({@code PT_INTERP}) and the
 * libraries it needs ({@code DT_NEEDED}), read from the file itself as the System V ABI's ELF
 * specification (gABI, "Dynamic Section") lays them out. Only 64-bit little-endian files are read:
 * that covers linux-amd64 and linux-arm64.
 *
 * @param interpreter the absolute path of the program interpreter, or {@code null} (shared libraries)
 * @param needed      the {@code DT_NEEDED} names in file order, e.g. {@code libc.so.6}
 * @param machine     {@code e_machine}: 62 for x86-64, 183 for AArch64
 */
public record Elf(String interpreter, List<String> needed, int machine) {
    private static final int PT_LOAD = 1;
    private static final int PT_DYNAMIC = 2;
    private static final int PT_INTERP = 3;
    private static final long DT_NULL = 0;
    private static final long DT_NEEDED = 1;
    private static final long DT_STRTAB = 5;

    /** @return whether the file starts with the ELF magic {@code 0x7f 'E' 'L' 'F'} */
    public static boolean isElf(Path file) {
        if (!Files.isRegularFile(file) || Files.isSymbolicLink(file)) {
            return false;
        }
        try (var in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Reads an ELF file.
     *
     * @param file a 64-bit little-endian ELF file
     * @return its interpreter and needed libraries
     * @throws IOException when the file cannot be read or is not a 64-bit little-endian ELF file
     */
    public static Elf read(Path file) throws IOException {
        ByteBuffer b;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            b = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
        }
        b.order(ByteOrder.LITTLE_ENDIAN);
        if (b.limit() < 64 || b.getInt(0) != 0x464c457f) {
            throw new IOException(file + " is not an ELF file");
        }
        if (b.get(4) != 2 || b.get(5) != 1) {
            throw new IOException(file + " is not a 64-bit little-endian ELF file");
        }
        int machine = Short.toUnsignedInt(b.getShort(18));
        long phoff = b.getLong(32);
        int phentsize = Short.toUnsignedInt(b.getShort(54));
        int phnum = Short.toUnsignedInt(b.getShort(56));
        List<long[]> loads = new ArrayList<>(); // {vaddr, offset, filesz}
        String interpreter = null;
        long dynOffset = -1;
        long dynSize = 0;
        for (int i = 0; i < phnum; i++) {
            int at = Math.toIntExact(phoff + (long) i * phentsize);
            int type = b.getInt(at);
            long offset = b.getLong(at + 8);
            long vaddr = b.getLong(at + 16);
            long filesz = b.getLong(at + 32);
            if (type == PT_LOAD) {
                loads.add(new long[] {vaddr, offset, filesz});
            } else if (type == PT_INTERP) {
                interpreter = cString(b, Math.toIntExact(offset));
            } else if (type == PT_DYNAMIC) {
                dynOffset = offset;
                dynSize = filesz;
            }
        }
        List<String> needed = new ArrayList<>();
        if (dynOffset >= 0) {
            List<Long> neededOffsets = new ArrayList<>();
            long strtab = -1;
            for (long at = dynOffset; at + 16 <= dynOffset + dynSize; at += 16) {
                long tag = b.getLong(Math.toIntExact(at));
                long val = b.getLong(Math.toIntExact(at + 8));
                if (tag == DT_NULL) {
                    break;
                } else if (tag == DT_NEEDED) {
                    neededOffsets.add(val);
                } else if (tag == DT_STRTAB) {
                    strtab = val;
                }
            }
            if (!neededOffsets.isEmpty()) {
                long strtabOffset = fileOffset(loads, strtab, file);
                for (long o : neededOffsets) {
                    needed.add(cString(b, Math.toIntExact(strtabOffset + o)));
                }
            }
        }
        return new Elf(interpreter, List.copyOf(needed), machine);
    }

    /** Maps a virtual address to a file offset through the {@code PT_LOAD} segments. */
    private static long fileOffset(List<long[]> loads, long vaddr, Path file) throws IOException {
        for (long[] l : loads) {
            if (vaddr >= l[0] && vaddr < l[0] + l[2]) {
                return vaddr - l[0] + l[1];
            }
        }
        throw new IOException(file + ": DT_STRTAB 0x" + Long.toHexString(vaddr) + " is in no loaded segment");
    }

    private static String cString(ByteBuffer b, int at) {
        int end = at;
        while (end < b.limit() && b.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - at];
        b.get(at, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
