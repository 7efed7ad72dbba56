/** The one rule for what text a user may store: {@link io.barrage.platform.text.UserText}. */
@NullMarked
package io.barrage.platform.text;

import org.jspecify.annotations.NullMarked;
