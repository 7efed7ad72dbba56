package io.barrage.platform.requestid;

import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/** The request id's one name on every carrier, and the one rule for accepting a caller's. */
public final class RequestIds {

    /** The HTTP header, and the Kafka record header. */
    public static final String HEADER = "X-Request-Id";
    /** The key in the logging MDC ({@code %X{requestId}} in the log pattern). */
    public static final String MDC_KEY = "requestId";
    /** The exchange attribute holding the id on a reactive stack, where the MDC does not follow a request. */
    public static final String ATTRIBUTE = RequestIds.class.getName() + ".id";

    // it ends up in logs and headers, so only a harmless shape is accepted from outside
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9-]{8,64}");

    private RequestIds() {}

    /** The caller's id when it has the harmless shape, a new one otherwise. */
    public static String acceptOrNew(@Nullable String given) {
        return given != null && VALID.matcher(given).matches()
                ? given
                : UUID.randomUUID().toString();
    }

    /** The id of the request this thread is serving, if any. */
    public static @Nullable String current() {
        return MDC.get(MDC_KEY);
    }
}
