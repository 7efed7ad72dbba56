package io.barrage.video.catalog;

import com.baomidou.mybatisplus.core.conditions.AbstractWrapper;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.ibatis.executor.Executor;
import org.apache.ibatis.mapping.MappedStatement;
import org.apache.ibatis.mapping.SqlCommandType;
import org.apache.ibatis.plugin.Interceptor;
import org.apache.ibatis.plugin.Intercepts;
import org.apache.ibatis.plugin.Invocation;
import org.apache.ibatis.plugin.Signature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Every write to {@code video} through {@link VideoMapper} drops the cached row after its transaction
 * commits, and every insert records the new id in the {@link VideoIdFilter}, whichever code made the
 * change (catalogue, upload, processing), so no writer can forget to.
 */
@Component
@Intercepts(
        @Signature(
                type = Executor.class,
                method = "update",
                args = {MappedStatement.class, Object.class}))
class CacheInvalidation implements Interceptor {

    private static final Logger log = LoggerFactory.getLogger(CacheInvalidation.class);
    private static final String MAPPER = VideoMapper.class.getName() + ".";
    private static final Pattern ID_CONDITION =
            Pattern.compile("(?:^|[\\s(])`?id`?\\s*=\\s*#\\{ew\\.paramNameValuePairs\\.(\\w+)}");

    // lazy: the cache needs the mapper, which needs this interceptor
    private final ObjectProvider<VideoCache> cache;
    private final ObjectProvider<VideoIdFilter> ids;

    CacheInvalidation(ObjectProvider<VideoCache> cache, ObjectProvider<VideoIdFilter> ids) {
        this.cache = cache;
        this.ids = ids;
    }

    @Override
    public Object intercept(Invocation invocation) throws Throwable {
        Object result = invocation.proceed();
        MappedStatement statement = (MappedStatement) invocation.getArgs()[0];
        if (!statement.getId().startsWith(MAPPER)) {
            return result;
        }
        Object parameter = invocation.getArgs()[1];
        OptionalLong id = idOf(parameter);
        if (id.isEmpty()) {
            log.warn("{} changed video rows the cache cannot identify", statement.getId());
            return result;
        }
        if (statement.getSqlCommandType() == SqlCommandType.INSERT) {
            ids.getObject().record(id.getAsLong());
        }
        cache.getObject().evictAfterCommit(id.getAsLong());
        return result;
    }

    static OptionalLong idOf(Object parameter) {
        if (parameter instanceof Video video && video.getId() != null) {
            return OptionalLong.of(video.getId());
        }
        if (parameter instanceof Number number) {
            return OptionalLong.of(number.longValue());
        }
        if (parameter instanceof Map<?, ?> map) {
            if (map.containsKey("et") && map.get("et") instanceof Video video && video.getId() != null) {
                return OptionalLong.of(video.getId());
            }
            if (map.containsKey("ew") && map.get("ew") instanceof AbstractWrapper<?, ?, ?> wrapper) {
                Matcher m = ID_CONDITION.matcher(wrapper.getSqlSegment());
                if (m.find() && wrapper.getParamNameValuePairs().get(m.group(1)) instanceof Number number) {
                    return OptionalLong.of(number.longValue());
                }
            }
            for (String key : new String[] {"id", "param1"}) {
                if (map.containsKey(key) && map.get(key) instanceof Number number) {
                    return OptionalLong.of(number.longValue());
                }
            }
        }
        return OptionalLong.empty();
    }
}
