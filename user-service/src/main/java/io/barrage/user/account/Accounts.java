package io.barrage.user.account;

import com.baomidou.mybatisplus.core.conditions.query.LambdaQueryWrapper;
import io.barrage.user.web.ApiException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/** Registration, credential checks and profile reads. */
@Service
public class Accounts {

    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_]{3,32}");
    private static final int MIN_PASSWORD = 8;
    private static final int MAX_PASSWORD = 128;
    private static final int MAX_DISPLAY_NAME = 64;

    private final AppUserMapper users;
    private final Passwords passwords;

    Accounts(AppUserMapper users, Passwords passwords) {
        this.users = users;
        this.passwords = passwords;
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
        int length = password == null ? 0 : password.codePointCount(0, password.length());
        if (length < MIN_PASSWORD || length > MAX_PASSWORD) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST, "weak-password", "A password is 8 to 128 characters.", "password");
        }
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
        return new UserView(user.getId(), username, displayName, now);
    }

    /** The profile of the user whose name and password these are; the same answer for a wrong name or password. */
    public Optional<PublicProfile> authenticate(String username, String password) {
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
        return Optional.ofNullable(users.selectById(id))
                .map(u -> new UserView(u.getId(), u.getUsername(), u.getDisplayName(), u.getCreatedAt()));
    }

    public Optional<PublicProfile> profile(long id) {
        return Optional.ofNullable(users.selectById(id)).map(Accounts::profileOf);
    }

    private Optional<AppUser> findByLowerName(String lower) {
        return Optional.ofNullable(
                users.selectOne(new LambdaQueryWrapper<AppUser>().eq(AppUser::getUsernameLower, lower)));
    }

    private static PublicProfile profileOf(AppUser user) {
        return new PublicProfile(user.getId(), user.getUsername(), user.getDisplayName());
    }

    private static String displayNameOf(String requested, String username) {
        if (requested == null || requested.isBlank()) {
            return username;
        }
        String trimmed = requested.strip();
        boolean control = trimmed.codePoints().anyMatch(Character::isISOControl);
        if (control || trimmed.codePointCount(0, trimmed.length()) > MAX_DISPLAY_NAME) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "invalid-request",
                    "A display name is at most 64 characters, without control characters.",
                    "displayName");
        }
        return trimmed;
    }

    private static ApiException taken() {
        return new ApiException(HttpStatus.CONFLICT, "username-taken", "This username is taken.", "username");
    }
}
