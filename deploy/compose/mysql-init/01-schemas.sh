#!/bin/bash
# First start of the database container only (MariaDB 11.4, the server the tests run on): one schema and one user per service, each user limited to
# its own schema (docs/architecture.md). Passwords come from the environment (.env), never from a file.
set -euo pipefail
for pair in user:USER_DB_PASSWORD video:VIDEO_DB_PASSWORD danmaku:DANMAKU_DB_PASSWORD scheduler:SCHEDULER_DB_PASSWORD; do
  name="${pair%%:*}"
  var="${pair#*:}"
  password="${!var}"
  schema="barrage_${name}"
  MYSQL_PWD="${MARIADB_ROOT_PASSWORD}" mariadb -uroot <<SQL
CREATE DATABASE IF NOT EXISTS \`${schema}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '${schema}'@'%' IDENTIFIED BY '${password}';
GRANT ALL PRIVILEGES ON \`${schema}\`.* TO '${schema}'@'%';
SQL
done
