/**
 * Every failure answered as RFC 9457 {@code application/problem+json} with a stable {@code code}: one
 * exception type ({@link io.barrage.platform.problem.ApiException}), one advice per web stack, one table
 * from status to code ({@link io.barrage.platform.problem.ProblemCodes}).
 */
@NullMarked
package io.barrage.platform.problem;

import org.jspecify.annotations.NullMarked;
