package io.barrage.danmaku.history;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Properties;
import org.apache.ibatis.cache.CacheKey;
import org.apache.ibatis.executor.Executor;
import org.apache.ibatis.mapping.BoundSql;
import org.apache.ibatis.mapping.MappedStatement;
import org.apache.ibatis.plugin.Interceptor;
import org.apache.ibatis.plugin.Intercepts;
import org.apache.ibatis.plugin.Invocation;
import org.apache.ibatis.plugin.Signature;
import org.apache.ibatis.session.ResultHandler;
import org.apache.ibatis.session.RowBounds;
import org.springframework.stereotype.Component;

/**
 * Counts every MyBatis statement as {@code danmaku.db.statements{statement=<mapper method>}}: how much of
 * the history load the cache actually takes off MySQL, visible in Prometheus (and asserted by the tests).
 */
@Component
@Intercepts({
    @Signature(
            type = Executor.class,
            method = "query",
            args = {MappedStatement.class, Object.class, RowBounds.class, ResultHandler.class}),
    @Signature(
            type = Executor.class,
            method = "query",
            args = {
                MappedStatement.class,
                Object.class,
                RowBounds.class,
                ResultHandler.class,
                CacheKey.class,
                BoundSql.class
            }),
    @Signature(
            type = Executor.class,
            method = "update",
            args = {MappedStatement.class, Object.class})
})
class QueryMetrics implements Interceptor {

    private final MeterRegistry meters;

    QueryMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    @Override
    public Object intercept(Invocation invocation) throws Throwable {
        MappedStatement statement = (MappedStatement) invocation.getArgs()[0];
        String id = statement.getId();
        Counter.builder("danmaku.db.statements")
                .tag("statement", id.substring(id.lastIndexOf('.', id.lastIndexOf('.') - 1) + 1))
                .register(meters)
                .increment();
        return invocation.proceed();
    }

    @Override
    public void setProperties(Properties properties) {}
}
