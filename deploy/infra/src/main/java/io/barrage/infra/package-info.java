/**
 * Real infrastructure for tests and the local stack: a Kafka KRaft broker, Redis, MariaDB and an S3 store,
 * started from registry packages without Docker, plus {@link io.barrage.infra.LocalStack}, which runs the
 * six services on top of them.
 */
package io.barrage.infra;
