package io.barrage.video.catalog;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.util.Locale;
import org.apache.ibatis.executor.statement.StatementHandler;
import org.apache.ibatis.plugin.Interceptor;
import org.apache.ibatis.plugin.Intercepts;
import org.apache.ibatis.plugin.Invocation;
import org.apache.ibatis.plugin.Signature;
import org.springframework.stereotype.Component;

/**
 * Counts the statements MyBatis sends to MariaDB ({@code barrage_video_db_queries_total{kind}}), so the
 * cache's effect is measured rather than assumed (the cache tests assert on it).
 */
@Component
@Intercepts(
        @Signature(
                type = StatementHandler.class,
                method = "prepare",
                args = {Connection.class, Integer.class}))
class QueryCounter implements Interceptor {

    private final Counter select;
    private final Counter write;

    QueryCounter(MeterRegistry registry) {
        this.select = Counter.builder("barrage.video.db.queries")
                .tag("kind", "select")
                .description("SQL statements sent to MariaDB through MyBatis")
                .register(registry);
        this.write = Counter.builder("barrage.video.db.queries")
                .tag("kind", "write")
                .description("SQL statements sent to MariaDB through MyBatis")
                .register(registry);
    }

    @Override
    public Object intercept(Invocation invocation) throws Throwable {
        StatementHandler handler = (StatementHandler) invocation.getTarget();
        String sql = handler.getBoundSql().getSql().stripLeading().toLowerCase(Locale.ROOT);
        (sql.startsWith("select") ? select : write).increment();
        return invocation.proceed();
    }
}
