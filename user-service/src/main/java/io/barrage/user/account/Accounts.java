package io.barrage.user.account;

import com.baomidou.mybatisplus.core.conditions.query.LambdaQueryWrapper;
import io.barrage.platform.problem.ApiException;
import io.barrage.platform.text.UserText;
import io.barrage.user.attempts.PasswordAttempts;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Registration, credential checks and profile reads. */
@Service
public class Accounts {

    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_]{3,32}");
    private static final int MIN_PASSWORD = 8;
    private static final int MAX_PASSWORD = 128;
    private static final int MAX_DISPLAY_NAME = 64;
    private static final int MAX_AVATAR_URL = 512;

    private final AppUserMapper users;
    private final Passwords passwords;
    private final PasswordAttempts attempts;
    private final ApplicationEventPublisher events;

    Accounts(AppUserMapper users, Passwords passwords, PasswordAttempts attempts, ApplicationEventPublisher events) {
        this.users = users;
        this.passwords = passwords;
        this.attempts = attempts;
        this.events = events;
    }

    UserView register(RegisterRequest request) {
        String username = request.username();
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "invalid-username",
                    "A username is 3 to 32 letters, digits or underscores.",
                    "username");
        }
        String password = request.password();
        requireStrong(password, "password");
        String displayName = displayNameOf(request.displayName(), username);
        String lower = username.toLowerCase(Locale.ROOT);
        if (findByLowerName(lower).isPresent()) {
            throw taken();
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        AppUser user = new AppUser();
        user.setUsername(username);
        user.setUsernameLower(lower);
        user.setDisplayName(displayName);
        user.setPasswordHash(passwords.hash(password));
        user.setCreatedAt(now);
        user.setUpdatedAt(now);
        try {
            users.insert(user);
        } catch (DuplicateKeyException e) {
            // lost a race with a concurrent registration of the same name; the unique key decided
            throw taken();
        }
        return new UserView(user.getId(), username, displayName, null, now);
    }

    /**
     * The profile of the user whose name and password these are; the same answer for a wrong name or
     * password. Refused with 429 while the caller's failures make it wait ({@link PasswordAttempts}).
     *
     * @param knownDevice the hash of the caller's device if it is known for this account, else null
     */
    public Optional<PublicProfile> authenticate(String username, String password, String address, String knownDevice) {
        attempts.check(username, address, knownDevice);
        Optional<PublicProfile> user = verify(username, password);
        if (user.isEmpty()) {
            attempts.failed(username, address, knownDevice);
        } else {
            attempts.succeeded(username, address, knownDevice);
        }
        return user;
    }

    private Optional<PublicProfile> verify(String username, String password) {
        if (username == null
                || password == null
                || !USERNAME.matcher(username).matches()
                || password.length() > 4 * MAX_PASSWORD) {
            return Optional.empty();
        }
        Optional<AppUser> user = findByLowerName(username.toLowerCase(Locale.ROOT));
        if (user.isEmpty()) {
            passwords.burnTimeOfOneCheck(password);
            return Optional.empty();
        }
        if (!passwords.matches(password, user.get().getPasswordHash())) {
            return Optional.empty();
        }
        return user.map(Accounts::profileOf);
    }

    Optional<UserView> view(long id) {
        return Optional.ofNullable(users.selectById(id)).map(Accounts::viewOf);
    }

    /** Changes the display name and/or the avatar; a null field is left as it is. */
    Optional<UserView> update(long id, ProfileUpdate update) {
        AppUser user = users.selectById(id);
        if (user == null) {
            return Optional.empty();
        }
        if (update.displayName() != null) {
            if (update.displayName().isBlank()) {
                throw invalidDisplayName();
            }
            user.setDisplayName(displayNameOf(update.displayName(), user.getUsername()));
        }
        if (update.avatarUrl() != null) {
            user.setAvatarUrl(avatarUrlOf(update.avatarUrl()));
        }
        user.setUpdatedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS));
        users.updateById(user);
        return Optional.of(viewOf(user));
    }

    /**
     * Checks the current password (counted like a login, so a stolen session cannot guess it quickly),
     * stores the new hash and, in the same transaction, has every other session ended.
     */
    @Transactional
    void changePassword(long id, PasswordChange change, String address, String keepTokenHash) {
        AppUser user = users.selectById(id);
        if (user == null) {
            throw ApiException.unauthenticated();
        }
        attempts.check(user.getUsername(), address);
        String current = change.currentPassword();
        if (current == null
                || current.length() > 4 * MAX_PASSWORD
                || !passwords.matches(current, user.getPasswordHash())) {
            attempts.failed(user.getUsername(), address);
            throw new ApiException(
                    HttpStatus.FORBIDDEN, "wrong-password", "The current password is wrong.", "currentPassword");
        }
        requireStrong(change.newPassword(), "newPassword");
        user.setPasswordHash(passwords.hash(change.newPassword()));
        user.setUpdatedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS));
        users.updateById(user);
        events.publishEvent(new PasswordChanged(id, keepTokenHash));
    }

    public Optional<PublicProfile> profile(long id) {
        return Optional.ofNullable(users.selectById(id)).map(Accounts::profileOf);
    }

    private Optional<AppUser> findByLowerName(String lower) {
        return Optional.ofNullable(
                users.selectOne(new LambdaQueryWrapper<AppUser>().eq(AppUser::getUsernameLower, lower)));
    }

    private static PublicProfile profileOf(AppUser user) {
        return new PublicProfile(user.getId(), user.getUsername(), user.getDisplayName(), user.getAvatarUrl());
    }

    private static UserView viewOf(AppUser u) {
        return new UserView(u.getId(), u.getUsername(), u.getDisplayName(), u.getAvatarUrl(), u.getCreatedAt());
    }

    private static void requireStrong(String password, String field) {
        int length = password == null ? 0 : password.codePointCount(0, password.length());
        if (length < MIN_PASSWORD || length > MAX_PASSWORD) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST, "weak-password", "A password is 8 to 128 characters.", field);
        }
    }

    /**
     * An absolute http(s) URL with a host and no credentials: the web UI puts it into an {@code <img
     * src>}, so {@code javascript:} or {@code data:} must never get through. Empty removes the avatar.
     */
    private static String avatarUrlOf(String requested) {
        String url = requested.strip();
        if (url.isEmpty()) {
            return null;
        }
        ApiException invalid = new ApiException(
                HttpStatus.BAD_REQUEST,
                "invalid-avatar-url",
                "An avatar URL is an absolute http or https URL of at most 512 characters.",
                "avatarUrl");
        if (url.length() > MAX_AVATAR_URL || url.codePoints().anyMatch(c -> c <= ' ' || c == 0x7f)) {
            throw invalid;
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("https") || scheme.equals("http"))
                    || uri.getHost() == null
                    || uri.getRawUserInfo() != null) {
                throw invalid;
            }
        } catch (URISyntaxException e) {
            throw invalid;
        }
        return url;
    }

    private static ApiException invalidDisplayName() {
        return new ApiException(
                HttpStatus.BAD_REQUEST,
                "invalid-request",
                "A display name is 1 to 64 characters, without control, format or invisible characters.",
                "displayName");
    }

    private static String displayNameOf(String requested, String username) {
        if (requested == null || requested.isBlank()) {
            return username;
        }
        String trimmed = requested.strip();
        if (!UserText.acceptable(trimmed, false) || trimmed.codePointCount(0, trimmed.length()) > MAX_DISPLAY_NAME) {
            throw invalidDisplayName();
        }
        return trimmed;
    }

    private static ApiException taken() {
        return new ApiException(HttpStatus.CONFLICT, "username-taken", "This username is taken.", "username");
    }
}
