package io.barrage.video.catalog;

import com.baomidou.mybatisplus.core.conditions.query.QueryWrapper;
import com.baomidou.mybatisplus.core.conditions.update.UpdateWrapper;
import java.time.LocalDateTime;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;

/**
 * The catalogue's side of a resumable upload: the UPLOADING row it starts as, its content type once the
 * first bytes show it, and its removal when the upload is abandoned. Every write goes through {@link
 * VideoMapper}, so {@link CacheInvalidation} drops the cached row after commit and records new ids.
 */
@Service
public class UploadingVideos {

    private final VideoMapper videos;

    UploadingVideos(VideoMapper videos) {
        this.videos = videos;
    }

    /** A new UPLOADING row (the server makes its id); its real type is known once bytes arrive. */
    public Video create(long ownerId, String title, @Nullable String description, long sizeBytes, LocalDateTime now) {
        Video video = new Video();
        video.setOwnerId(ownerId);
        video.setTitle(title);
        video.setDescription(description);
        video.setDurationMs(0L);
        video.setSizeBytes(sizeBytes);
        video.setContentType("application/octet-stream");
        video.setStatus(VideoStatus.UPLOADING);
        video.setVersion(0);
        video.setCreatedAt(now);
        video.setUpdatedAt(now);
        videos.insert(video);
        return video;
    }

    /** The row as MariaDB has it now (not the cache), or null. */
    public @Nullable Video current(long id) {
        return videos.selectById(id);
    }

    public void recordContentType(long id, String contentType) {
        videos.update(null, new UpdateWrapper<Video>().eq("id", id).set("content_type", contentType));
    }

    /** Removes the row while it is still UPLOADING: nobody could see it yet; a finished one lives on. */
    public void discard(long id) {
        videos.delete(new QueryWrapper<Video>().eq("id", id).eq("status", VideoStatus.UPLOADING.name()));
    }
}
