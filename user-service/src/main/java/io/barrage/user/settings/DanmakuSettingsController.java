package io.barrage.user.settings;

import io.barrage.platform.identity.CurrentUser;
import io.barrage.platform.problem.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.http.CacheControl;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/users/me/danmaku-settings")
@Tag(name = "danmaku settings", description = "The caller's danmaku block rules and display switches")
class DanmakuSettingsController {

    private static final Pattern VERSION_TAG = Pattern.compile("\\s*(?:W/)?\"?(\\d{1,18})\"?\\s*");

    private final DanmakuSettingsStore store;
    private final SettingsValidation validation;
    private final DanmakuSettingsProperties limits;

    DanmakuSettingsController(
            DanmakuSettingsStore store, SettingsValidation validation, DanmakuSettingsProperties limits) {
        this.store = store;
        this.validation = validation;
        this.limits = limits;
    }

    @GetMapping
    @Operation(summary = "The caller's settings (the defaults, version 0, until first saved); ETag is the version")
    ResponseEntity<SettingsView> read(CurrentUser current) {
        return answer(store.read(current.id()));
    }

    @PutMapping
    @Operation(
            summary = "Replace the caller's settings",
            description = "Name the version read, as If-Match or as the body's version (0: never saved);"
                    + " 412 settings-version-conflict when another write came first, 428 without a version.",
            // the body is read by JsonBodies (bounded), so it is declared here for the document
            requestBody =
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            required = true,
                            content = @Content(schema = @Schema(implementation = SettingsUpdate.class))))
    ResponseEntity<SettingsView> replace(
            CurrentUser current,
            @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
            HttpServletRequest request) {
        long userId = current.id();
        SettingsUpdate update = JsonBodies.read(request, limits.maxBody().toBytes(), SettingsUpdate.class);
        Long expected = versionOf(ifMatch);
        if (expected == null) {
            expected = update.version();
        }
        if (expected == null || expected < 0) {
            throw new ApiException(
                    HttpStatus.PRECONDITION_REQUIRED,
                    "settings-version-required",
                    "Name the version you read: If-Match or the body's version (0 for settings never saved).",
                    "version");
        }
        return answer(store.write(userId, expected, validation.validate(update)));
    }

    @PostMapping("/import")
    @Operation(
            summary = "Add rules from a bilibili block-list export",
            description = "Body: bilibili's JSON, [{type: 0 text | 1 regex | 2 user, filter, opened, id}] (or"
                    + " {rule: [...]}). Rules are added to the current ones, duplicates skipped; If-Match"
                    + " optional. The whole import is refused (400 naming the entry) if any entry is invalid.",
            requestBody =
                    @io.swagger.v3.oas.annotations.parameters.RequestBody(
                            required = true,
                            content = @Content(schema = @Schema(type = "array", description = "bilibili rules"))))
    ResponseEntity<ImportResult> importRules(
            CurrentUser current,
            @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
            HttpServletRequest request) {
        long userId = current.id();
        List<DanmakuRule> rules = BilibiliRules.parse(
                JsonBodies.tree(request, limits.maxBody().toBytes()), validation, limits.maxRules());
        ImportResult result = store.addRules(userId, versionOf(ifMatch), rules);
        return ResponseEntity.ok()
                .eTag(result.settings().etag())
                .cacheControl(CacheControl.noStore())
                .body(result);
    }

    @GetMapping("/export")
    @Operation(summary = "The caller's rules as a bilibili block-list file")
    ResponseEntity<List<Map<String, Object>>> export(CurrentUser current) {
        SettingsView settings = store.read(current.id());
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                .header(
                        HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment()
                                .filename("barrage-danmaku-rules.json")
                                .build()
                                .toString())
                .body(BilibiliRules.export(settings.rules()));
    }

    private static ResponseEntity<SettingsView> answer(SettingsView view) {
        return ResponseEntity.ok()
                .eTag(view.etag())
                .cacheControl(CacheControl.noStore())
                .body(view);
    }

    private static Long versionOf(String ifMatch) {
        if (ifMatch == null || ifMatch.isBlank()) {
            return null;
        }
        Matcher m = VERSION_TAG.matcher(ifMatch);
        if (!m.matches()) {
            throw SettingsValidation.invalid("If-Match", "If-Match must be the version's ETag, for example \"3\".");
        }
        return Long.parseLong(m.group(1));
    }
}
