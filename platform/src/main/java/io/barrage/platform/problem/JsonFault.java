package io.barrage.platform.problem;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.databind.DatabindException;

/**
 * What was wrong with a JSON body: well-formed JSON whose value does not fit (a string where a number
 * belongs: {@code invalid-request}, with the JSON path of the value as {@code field}), or no JSON at all.
 */
record JsonFault(boolean wrongType, @Nullable String field) {

    static JsonFault of(Throwable failure) {
        JacksonException jackson = null;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof JacksonException j) {
                jackson = j;
            }
        }
        boolean wrongType = jackson instanceof DatabindException || jackson instanceof InputCoercionException;
        return new JsonFault(wrongType, wrongType ? pathOf(jackson) : null);
    }

    private static @Nullable String pathOf(JacksonException e) {
        if (e.getPath().isEmpty()) {
            return null;
        }
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? null : path.toString();
    }
}
