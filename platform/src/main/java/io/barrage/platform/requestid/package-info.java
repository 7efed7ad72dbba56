/**
 * One request id, {@code X-Request-Id}, from the edge to the last log line: taken from the caller (in a
 * harmless shape) or made up, put in the MDC as {@code requestId}, echoed on the response, and carried on
 * every Feign call and Kafka record the request causes.
 */
@NullMarked
package io.barrage.platform.requestid;

import org.jspecify.annotations.NullMarked;
