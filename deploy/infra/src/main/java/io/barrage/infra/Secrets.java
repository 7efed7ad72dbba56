package io.barrage.infra;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Properties;

/**
 * Credentials made on this machine: generated at random the first time and kept (owner-readable only) in
 * the data folder, so nothing secret is ever in the repository.
 */
final class Secrets {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Properties values;
    private final Path file;

    private Secrets(Properties values, Path file) {
        this.values = values;
        this.file = file;
    }

    static Secrets load(Path file) throws IOException {
        Properties values = new Properties();
        if (Files.exists(file)) {
            try (Reader reader = Files.newBufferedReader(file)) {
                values.load(reader);
            }
        }
        return new Secrets(values, file);
    }

    static String random() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    synchronized String get(String name) {
        String value = values.getProperty(name);
        if (value == null) {
            value = random();
            values.setProperty(name, value);
            save();
        }
        return value;
    }

    private void save() {
        try {
            Files.createDirectories(file.getParent());
            if (!Files.exists(file)) {
                Files.createFile(
                        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            try (Writer writer = Files.newBufferedWriter(file)) {
                values.store(writer, "Barrage local credentials, generated on this machine");
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
